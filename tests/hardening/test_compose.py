"""docker-compose.yml keeps the README's promise: every long-running service has a health check,
and the web's is the readiness endpoint."""

import re
from pathlib import Path

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def services() -> dict[str, str]:
    text = COMPOSE.read_text().split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    blocks = re.split(r"^  ([\w-]+):\n", text, flags=re.MULTILINE)[1:]
    return dict(zip(blocks[0::2], blocks[1::2]))


def test_every_long_running_service_has_a_health_check():
    found = services()

    assert set(found) >= {"postgres", "redis", "mailpit", "migrate", "web", "nginx", "worker", "beat"}
    for name, block in found.items():
        if name == "migrate":  # one-shot: others wait for it to complete
            continue
        assert "    healthcheck:\n" in block, name


def test_the_web_is_ready_when_its_readiness_endpoint_says_so_and_nginx_waits_for_it():
    found = services()

    assert "/health/ready/" in found["web"]
    assert re.search(r"web:\n\s+condition: service_healthy", found["nginx"])
