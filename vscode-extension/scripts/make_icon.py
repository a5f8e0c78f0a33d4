"""Draws media/icon.png (128x128): a magnifying lens with a check mark, using only the
standard library (zlib + struct), 4x4 supersampled for smooth edges."""

import math
import struct
import zlib
from pathlib import Path

SIZE = 128
SAMPLES = 4
BACKGROUND = (30, 41, 59)
RING = (226, 232, 240)
CHECK = (74, 222, 128)
HANDLE = (148, 163, 184)
CENTER, RADIUS, RING_WIDTH = (54.0, 54.0), 34.0, 9.0
CHECK_POINTS = ((38.0, 55.0), (50.0, 67.0), (71.0, 42.0))
CHECK_WIDTH = 9.0
HANDLE_FROM, HANDLE_TO, HANDLE_WIDTH = (80.0, 80.0), (108.0, 108.0), 14.0
CORNER = 24.0


def segment_distance(p, a, b):
    """Distance from point p to the segment a-b."""
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def inside_rounded_square(x, y):
    """True inside the icon's rounded-square background."""
    cx = min(max(x, CORNER), SIZE - CORNER)
    cy = min(max(y, CORNER), SIZE - CORNER)
    return math.hypot(x - cx, y - cy) <= CORNER


def color_at(x, y):
    """The RGBA colour of one sample point, or None when transparent."""
    if not inside_rounded_square(x, y):
        return None
    if segment_distance((x, y), HANDLE_FROM, HANDLE_TO) <= HANDLE_WIDTH / 2:
        return HANDLE
    if abs(math.hypot(x - CENTER[0], y - CENTER[1]) - RADIUS) <= RING_WIDTH / 2:
        return RING
    a, b, c = CHECK_POINTS
    if min(segment_distance((x, y), a, b), segment_distance((x, y), b, c)) <= CHECK_WIDTH / 2:
        return CHECK
    return BACKGROUND


def pixel(px, py):
    """Averages SAMPLES x SAMPLES sample points into one RGBA pixel."""
    total = [0.0, 0.0, 0.0, 0.0]
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            color = color_at(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES)
            if color is not None:
                total[0] += color[0]
                total[1] += color[1]
                total[2] += color[2]
                total[3] += 255
    n = SAMPLES * SAMPLES
    alpha = total[3] / n
    if alpha == 0:
        return (0, 0, 0, 0)
    covered = total[3] / 255
    return tuple(round(v / covered) for v in total[:3]) + (round(alpha),)


def png(width, height, rows):
    """Encodes RGBA rows as a PNG file."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(v for px in row for v in px) for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def main():
    rows = [[pixel(x, y) for x in range(SIZE)] for y in range(SIZE)]
    out = Path(__file__).resolve().parent.parent / "media" / "icon.png"
    out.write_bytes(png(SIZE, SIZE, rows))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
