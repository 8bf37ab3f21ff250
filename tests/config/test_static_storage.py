"""Production's static storage keeps each name's address once worked out: the same addresses as
whitenoise's storage gives, a fresh collection's as soon as it is made, errors never kept."""

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import override_settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

from config.static_storage import KeptAddressesStaticFilesStorage

NAMES = ("css/shop.css", "css/fonts.css", "css/fonts.css?#iefix", "img/lamp.svg", "img/lamp.svg#flame")


@pytest.fixture
def collected(tmp_path):
    """A collection of a few files by the production storage class, into a folder of its own."""
    source = tmp_path / "source"
    (source / "css").mkdir(parents=True)
    (source / "img").mkdir()
    (source / "css" / "shop.css").write_text("body { color: #222; }\n")
    (source / "css" / "fonts.css").write_text("@font-face { font-family: Shop; }\n")
    (source / "img" / "lamp.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"></svg>\n')
    root = tmp_path / "collected"
    with override_settings(
        DEBUG=False, STATIC_URL="/static/", STATIC_ROOT=root, STATICFILES_DIRS=[source],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                  "staticfiles": {"BACKEND": "config.static_storage.KeptAddressesStaticFilesStorage"}},
    ):
        call_command("collectstatic", "--noinput", "-v0")
        assert isinstance(staticfiles_storage._wrapped, KeptAddressesStaticFilesStorage)
        yield source, root


def test_every_address_is_the_one_whitenoise_gives_at_every_call(collected):
    _, root = collected
    plain = CompressedManifestStaticFilesStorage(location=root, base_url="/static/")
    for _ in range(3):
        assert [staticfiles_storage.url(name) for name in NAMES] == [plain.url(name) for name in NAMES]
    address = staticfiles_storage.url("css/shop.css")
    assert address.startswith("/static/css/shop.") and address.endswith(".css") and address != "/static/css/shop.css"
    assert staticfiles_storage.url("img/lamp.svg#flame").endswith(".svg#flame")


def test_a_new_collection_gives_its_new_addresses_at_once(collected):
    source, _ = collected
    before = staticfiles_storage.url("css/shop.css")
    (source / "css" / "shop.css").write_text("body { color: #000; }\n")
    call_command("collectstatic", "--noinput", "-v0")
    after = staticfiles_storage.url("css/shop.css")
    assert after != before
    assert after == CompressedManifestStaticFilesStorage(location=staticfiles_storage.location,
                                                         base_url="/static/").url("css/shop.css")


def test_a_name_the_manifest_lacks_is_an_error_at_every_call(collected):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry for 'css/absent.css'"):
            staticfiles_storage.url("css/absent.css")


def test_with_debug_on_addresses_are_unhashed_whatever_was_kept(collected):
    hashed = staticfiles_storage.url("css/shop.css")
    with override_settings(DEBUG=True):
        assert staticfiles_storage.url("css/shop.css") == "/static/css/shop.css"
    assert staticfiles_storage.url("css/shop.css") == hashed


def test_a_forced_address_is_worked_out_afresh(collected):
    kept = staticfiles_storage.url("css/shop.css")
    # A forced call looks the name up again: here the manifest has lost it since, so it fails,
    # while unforced calls keep the address they were given.
    staticfiles_storage._wrapped.hashed_files.pop(staticfiles_storage.hash_key("css/shop.css"))
    with pytest.raises(ValueError):
        staticfiles_storage.url("css/shop.css", force=True)
    assert staticfiles_storage.url("css/shop.css") == kept


def test_at_most_the_bound_of_addresses_is_kept(collected):
    storage = staticfiles_storage._wrapped
    storage.KEPT_ADDRESSES = 3
    names = NAMES[:3]
    addresses = [storage.url(name) for name in names]
    assert list(storage._kept_addresses) == list(names)  # exactly at the bound: all kept
    storage.url(NAMES[3])
    assert list(storage._kept_addresses) == [NAMES[3]]  # one past it: the others are let go
    assert [storage.url(name) for name in names] == addresses
