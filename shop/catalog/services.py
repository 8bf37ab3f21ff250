"""Catalog writes."""

from io import BytesIO
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from .models import Product, ProductImage

THUMBNAIL_SIZE = (480, 480)


def product_image_thumbnail_generate(*, image: ProductImage) -> ProductImage:
    """Make (or remake) the listing thumbnail of a product photo: at most 480 px, JPEG.

    Raises ValueError with a readable message when the upload is not a picture.
    """
    try:
        image.image.open("rb")
        with Image.open(image.image) as picture:
            picture = picture.convert("RGB")
            picture.thumbnail(THUMBNAIL_SIZE)
            buffer = BytesIO()
            picture.save(buffer, format="JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError("That file is not a picture we can read (use JPEG, PNG or WebP).") from error
    finally:
        image.image.close()
    name = f"{PurePath(image.image.name).stem}-thumb.jpg"
    if image.thumbnail:
        image.thumbnail.delete(save=False)
    image.thumbnail.save(name, ContentFile(buffer.getvalue()), save=False)
    image.save(update_fields=["thumbnail"])
    return image


@transaction.atomic
def product_image_add(*, product: Product, upload, alt_text: str, position: int = 0) -> ProductImage:
    """Attach a photo to a product with its alt text and a generated thumbnail."""
    if not alt_text.strip():
        raise ValueError("Describe the picture in its alt text.")
    try:  # refuse a non-picture before anything is stored
        with Image.open(upload) as picture:
            picture.verify()
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError("That file is not a picture we can read (use JPEG, PNG or WebP).") from error
    upload.seek(0)
    image = ProductImage(product=product, alt_text=alt_text.strip(), position=position)
    image.image.save(upload.name, upload, save=False)
    image.save()
    return product_image_thumbnail_generate(image=image)
