"""One row of the results table."""


def row(benchmark: str, name: str, value, unit: str, bar: float | None = None) -> dict:
    """A measurement, checked against an upper bar when there is one."""
    return {
        "name": f"{benchmark}: {name}",
        "value": value,
        "unit": unit,
        "bar": None if bar is None else f"≤ {bar:g} {unit}",
        "ok": None if bar is None else value <= bar,
    }
