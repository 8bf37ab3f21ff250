"""Product pictures: upload with alt text, a generated thumbnail, a placeholder where none exists."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shop.catalog.services import product_image_add
from tests.factories import ProductFactory


def png(width: int = 1200, height: int = 900) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile("lantern.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.mark.django_db
def test_an_uploaded_photo_gets_a_small_thumbnail_shown_in_listings_with_its_alt_text(client):
    product = ProductFactory(title="Lantern")

    image = product_image_add(product=product, upload=png(), alt_text="A copper lantern on a table")

    with Image.open(image.thumbnail.path) as thumbnail:
        assert max(thumbnail.size) == 480 and thumbnail.format == "JPEG"
    card = client.get(product.category.get_absolute_url()).content.decode()
    assert f'src="{image.thumbnail.url}" alt="A copper lantern on a table"' in card
    page = client.get(product.get_absolute_url()).content.decode()
    assert f'src="{image.image.url}" alt="A copper lantern on a table"' in page


@pytest.mark.django_db
def test_a_product_without_a_photo_shows_a_generated_placeholder(client):
    product = ProductFactory(title="White Metal Lantern")

    page = client.get(product.get_absolute_url()).content.decode()

    assert 'aria-label="No photo yet of White Metal Lantern">WM</span>' in page


@pytest.mark.django_db
def test_a_file_that_is_not_a_picture_is_refused_with_a_message():
    product = ProductFactory()

    with pytest.raises(ValueError, match="not a picture"):
        product_image_add(product=product, upload=SimpleUploadedFile("x.png", b"not an image"), alt_text="x")


@pytest.mark.django_db
def test_a_photo_without_alt_text_is_refused():
    with pytest.raises(ValueError, match="alt text"):
        product_image_add(product=ProductFactory(), upload=png(), alt_text="  ")
