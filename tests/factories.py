"""Factories for the shop's models. Tests build exactly the data they need."""

from decimal import Decimal

import factory
from django.utils import timezone

from shop.accounts.models import User
from shop.catalog.models import Category, Product, ProductVariant
from shop.orders.models import Order, OrderLine, OrderSource, OrderStatus

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"shopper{n}@example.com")
    password = factory.django.Password(PASSWORD)  # hashed before the row is saved


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    """A published product with one variant carrying its SKU, price and stock."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    category = factory.SubFactory(CategoryFactory)
    price = Decimal("4.95")
    created_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def variant(self, create, extracted, **kwargs):
        if not create:
            return
        stock = kwargs.pop("stock", 10)
        ProductVariant.objects.create(product=self, sku=kwargs.pop("sku", f"SKU-{self.pk}"), price=self.price,
                                      stock_quantity=stock)


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"T{n:06d}")
    user = factory.SubFactory(UserFactory)
    status = OrderStatus.PAID
    source = OrderSource.WEB
    currency = "GBP"
    placed_at = factory.LazyFunction(timezone.now)


def order_line_create(*, order: Order, product: Product, quantity: int = 1) -> OrderLine:
    variant = product.variants.first()
    return OrderLine.objects.create(
        order=order, line_number=order.lines.count() + 1, variant=variant, product_sku=variant.sku,
        product_title=product.title, quantity=quantity, unit_price=variant.price,
    )


def verified_user(**kwargs) -> User:
    """An account that can log in through allauth with PASSWORD (its e-mail address is verified)."""
    from allauth.account.models import EmailAddress

    user = UserFactory(**kwargs)
    user.save()  # the factory sets the password after creating the row
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def variant_create(*, product: Product, name: str, price: Decimal, stock: int = 10, sku: str | None = None
                   ) -> ProductVariant:
    return ProductVariant.objects.create(product=product, name=name, price=price, stock_quantity=stock,
                                         sku=sku or f"SKU-{product.pk}-{name.lower()}",
                                         position=product.variants.count())
