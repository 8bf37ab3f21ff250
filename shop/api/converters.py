"""Path ids the database can hold: 1 to 18 digits (a larger number names nothing, and SQLite
cannot even compare it), so such an address is a 404 before any query."""


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)

