"""Catalog writes."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Max, Min, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from shop.orders.models import OrderLine

from .fragments import catalog_changed
from .models import Product, ProductImage, ProductVariant

POPULARITY_WINDOW = timedelta(days=90)


@transaction.atomic
def product_popularity_refresh() -> int:
    """Set each product's popularity to its distinct buyers in the 90 days before the latest order.

    The window ends at the newest order rather than now, so an imported history
    still has a meaningful ranking. Returns the number of products updated.
    """
    catalog_changed()  # "popular" grids reorder
    latest = OrderLine.objects.aggregate(latest=Max("order__placed_at"))["latest"]
    if latest is None:
        return Product.objects.update(popularity=0)
    buyers = (
        OrderLine.objects.filter(variant__product=OuterRef("pk"), order__placed_at__gte=latest - POPULARITY_WINDOW,
                                 order__user__isnull=False)
        .values("variant__product")
        .annotate(buyers=Count("order__user", distinct=True))
        .values("buyers")
    )
    return Product.objects.update(popularity=Coalesce(Subquery(buyers), Value(0)))


THUMBNAIL_SIZE = (480, 480)


def product_image_thumbnail_generate(*, image: ProductImage) -> ProductImage:
    """Make (or remake) the listing thumbnail of a product photo: at most 480 px, JPEG.

    Raises ValueError with a readable message when the upload is not a picture.
    """
    from io import BytesIO
    from pathlib import PurePath

    from django.core.files.base import ContentFile
    from PIL import Image, UnidentifiedImageError

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
    from PIL import Image, UnidentifiedImageError

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


def product_price_refresh(*, product: Product) -> Product:
    """Keep a product's listed price at its lowest variant price (listings sort and filter on it).

    Called after a product's variants were edited: shared fragments showing it are
    renewed once the edit commits, whether or not the lowest price moved.
    """
    catalog_changed()
    # Read from the database: a prefetched `product.variants` (the admin's) predates the edit.
    lowest = ProductVariant.objects.filter(product=product).aggregate(lowest=Min("price"))["lowest"]
    if lowest is not None and product.price != lowest:
        product.price = lowest
        product.save(update_fields=["price", "updated_at"])
    return product
