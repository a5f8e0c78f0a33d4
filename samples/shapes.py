"""Shapes: lists, strings, floats and explicit and implicit exceptions (prooflens sample)."""


class Polygon:
    """Methods that need no fields: a polygon is given by its side lengths."""

    def perimeter(self, sides: list[int]) -> int:
        total = 0
        for side in sides:
            total += side
        return total

    def is_triangle(self, sides: list[int]) -> bool:
        return len(sides) == 3

    def longest_side(self, sides: list[int]) -> int:
        best = sides[0]  # IndexError on an empty polygon
        for side in sides:
            if side > best:
                best = side
        return best


def first_and_last(sides: list[int]) -> int:
    if len(sides) == 0:
        raise ValueError("no sides")
    return sides[0] + sides[-1]


def label(name: str) -> str:
    """'sq' -> 'Sq': the first letter upper-cased (by a table: str methods are not modelled)."""
    head = name[0]  # IndexError on an empty name
    if head == "s":
        head = "S"
    return head + name[1:]


def scale_all(sides: list[int], factor: int) -> list[int]:
    out = []
    for side in sides:
        out.append(side * factor)
    assert len(out) == len(sides)
    return out


def pop_twice(stack: list[int]) -> int:
    assert len(stack) >= 1
    top = stack.pop()
    below = stack.pop()  # IndexError when the stack had one item
    return top + below


def split_pair(text: str) -> bool:
    a, b = text  # ValueError unless exactly two characters
    return a + b == text


def prop_slices_rejoin(name: str, cut: int) -> bool:
    return name[:cut] + name[cut:] == name


def mean_side(sides: list[int]) -> int:
    return sum_sides(sides) // len(sides)  # ZeroDivisionError on an empty polygon


def sum_sides(sides: list[int]) -> int:
    total = 0
    for side in sides:
        total += side
    return total


def aspect_ratio(width: float, height: float) -> float:
    return width / height  # ZeroDivisionError when height is 0.0 or -0.0


def prop_doubling_keeps_sign(a: float) -> bool:
    return not (a < 0.0) or a * 2.0 <= 0.0  # also for -inf; NaN is not < 0.0
