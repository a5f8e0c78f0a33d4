"""Client settings -> ServerConfig -> analysis Settings."""

import pytest

from prooflens.server.config import ServerConfig, parse_config


def test_defaults_match_the_contract():
    config, problems = parse_config({})
    assert problems == []
    assert (config.mode, config.debounce_ms, config.unwind, config.timeout_s) == (
        "onChange", 300, 10, 10.0)  # fmt: skip
    assert config.worker_count() >= 1 and config.memory_mb == 2048


@pytest.mark.parametrize(
    ("data", "attr", "value"),
    [
        ({"mode": "manual"}, "mode", "manual"),
        ({"debounceMs": 50}, "debounce_ms", 50),
        ({"unwind": 3}, "unwind", 3),
        ({"timeoutSeconds": 1.5}, "timeout_s", 1.5),
        ({"workers": 3}, "workers", 3),
        ({"memoryMb": 512}, "memory_mb", 512),
        ({"replay": False}, "replay", False),
        ({"inlayHints": False}, "inlay_hints", False),
    ],
)
def test_each_setting(data, attr, value):
    config, problems = parse_config(data)
    assert getattr(config, attr) == value and problems == []


@pytest.mark.parametrize(
    "data",
    [{"mode": "often"}, {"debounceMs": -1}, {"unwind": "ten"}, {"timeoutSeconds": 0},
     {"workers": True}, {"checks": {"overflow": "no"}}, {"checks": {"nonsense": True}},
     {"checks": []}],
)  # fmt: skip
def test_bad_values_are_ignored_and_reported(data):
    config, problems = parse_config(data)
    assert config == ServerConfig() and len(problems) == 1


def test_not_an_object():
    assert parse_config("x")[0] == ServerConfig() and parse_config(None) == (ServerConfig(), [])


def test_checks_and_derived_settings():
    config, _ = parse_config({"checks": {"overflow": False, "termination": False},
                              "unwind": 20, "timeoutSeconds": 30})  # fmt: skip
    deep, quick = config.deep_settings(), config.quick_settings()
    assert not deep.enabled("signed-overflow") and not deep.enabled("termination")
    assert deep.enabled("division-by-zero") and deep.enabled("assertion")
    assert (deep.unwind, deep.timeout_s, deep.deep) == (20, 30.0, True)
    assert (quick.unwind, quick.timeout_s, quick.deep) == (5, 2.0, False)
    assert quick.checks == deep.checks
    assert config.deep_settings(120).timeout_s == 120
    assert deep.fingerprint() != quick.fingerprint()


def test_update_keeps_base():
    base, _ = parse_config({"unwind": 4})
    config, _ = parse_config({"mode": "onSave"}, base)
    assert (config.unwind, config.mode) == (4, "onSave")
