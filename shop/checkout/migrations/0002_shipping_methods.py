from decimal import Decimal

from django.db import migrations

EUROPE = "IE,FR,DE,NL,BE,ES,IT,PT,SE,DK,AT,PL,CH,NO"
METHODS = [
    ("standard", "Standard delivery", "2–4 working days, tracked", Decimal("3.95"), "GB", 0),
    ("express", "Next-day delivery", "Order by 2 pm for delivery the next working day", Decimal("7.95"), "GB", 1),
    ("europe", "Tracked Europe", "4–7 working days", Decimal("12.50"), EUROPE, 2),
    ("worldwide", "Worldwide", "7–14 working days; import duties may apply", Decimal("19.95"), "*", 3),
]


def create_methods(apps, schema_editor):
    ShippingMethod = apps.get_model("checkout", "ShippingMethod")
    for code, name, description, price, countries, position in METHODS:
        ShippingMethod.objects.get_or_create(code=code, defaults={
            "name": name, "description": description, "price": price, "countries": countries,
            "position": position})


class Migration(migrations.Migration):
    dependencies = [("checkout", "0001_initial")]

    operations = [migrations.RunPython(create_methods, migrations.RunPython.noop)]
