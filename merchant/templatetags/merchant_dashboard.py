from django import template
from django.conf import settings

from primitives.charts import bar_chart, proportion_rows
from primitives.money import format_money, format_percent

from ..selectors import merchant_dashboard

register = template.Library()


def _money(value) -> str:
    return format_money(value, settings.SHOP_CURRENCY)


@register.inclusion_tag("admin/_merchant_dashboard.html", takes_context=True)
def merchant_dashboard_panel(context):
    """The dashboard on the admin index, for staff who may see orders."""
    request = context["request"]
    if not request.user.has_perm("orders.view_order"):
        return {"allowed": False}
    data = merchant_dashboard()
    return {
        "allowed": True,
        "data": data,
        "currency": settings.SHOP_CURRENCY,
        "by_day": bar_chart(title="Sales by day", points=[(p.label, p.revenue) for p in data.by_day],
                            formatter=_money, label_every=2, period_name="Day"),
        "by_week": bar_chart(title="Sales by week", points=[(p.label, p.revenue) for p in data.by_week],
                             formatter=_money, label_every=2, period_name="Week from"),
        "status_rows": proportion_rows([(s.label, s.orders, f"{s.orders:,}") for s in data.by_status]),
        "consent_rows": proportion_rows(
            [(c.label, c.rate, format_percent(c.rate) if c.shown else f"fewer than {data.min_group} people")
             for c in data.consent], scale=1),
        "top_rows": proportion_rows([(f"{t.title} ({t.sku})", t.units, f"{t.units:,} units · {_money(t.revenue)}")
                                     for t in data.top]),
    }
