"""Short human forms of numbers, money and comparisons for cards and condition texts."""

from __future__ import annotations

_OP_SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


def number(value: float) -> str:
    """2000.0 -> '2000', 0.15 -> '0.15', 33.333333 -> '33.33'."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def money(wan: float) -> str:
    """An amount in 万元 as people write it: 30 -> '30万元', 10000 -> '1亿元', 0.15 -> '1500元'."""
    if wan >= 10_000:
        return f"{number(wan / 10_000)}亿元"
    if wan < 1:
        return f"{number(wan * 10_000)}元"
    return f"{number(wan)}万元"


def quantity(value: float, unit: str) -> str:
    """A value with its unit, money through :func:`money`."""
    if unit == "万元":
        return money(value)
    return f"{number(value)}{unit}"


def comparison(label: str, op: str, value: float, unit: str) -> str:
    """'营业收入', '>=', 2000, '万元' -> '营业收入≥2000万元'."""
    return f"{label}{_OP_SYMBOLS[op]}{quantity(value, unit)}"


def ratio(fraction: float) -> str:
    """0.1 -> '10%'."""
    return f"{number(fraction * 100)}%"
