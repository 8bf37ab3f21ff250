"""The bottom layer: primitives every package may use, importing nothing of ours above them.

- `primitives.subjects`: who a request is about (one `Subject`, one `request_subject`).
- `primitives.encrypted_fields`: encrypted model fields and blind indexes for personal data.
- `primitives.money`: `Money`, the shop's rounding rule and how an amount is written.
- `primitives.charts`: the geometry of server-rendered SVG charts (bars, lines, a step line).
"""
