"""The demand rule form: every refusal says what is wrong and changes nothing."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings

from primitives.money import format_money

from .models import DemandRule
from .selectors import RECOMPUTE_RUNNING_MESSAGE, recompute_running, rule_bound_conflicts


class DemandRuleForm(forms.ModelForm):
    class Meta:
        model = DemandRule
        fields = ["name", "enabled", "category", "max_increase_percent", "max_decrease_percent",
                  "velocity_window_days", "scarce_cover_days", "ample_cover_days"]

    def clean(self):
        cleaned = super().clean()
        cap = settings.PRICING_MAX_ADJUSTMENT_PERCENT
        for name, direction in (("max_increase_percent", "increase"), ("max_decrease_percent", "decrease")):
            value = cleaned.get(name)
            if value is None:
                continue
            if value < 0:
                self.add_error(name, f"The largest {direction} cannot be negative: give it as a positive percentage "
                                     f"(0 for no {direction}).")
            elif value > cap:
                self.add_error(name, f"The largest {direction} is at most {cap:g}%: {value:g}% is not a demand "
                                     "adjustment.")
        scarce, ample = cleaned.get("scarce_cover_days"), cleaned.get("ample_cover_days")
        if scarce is not None and ample is not None and scarce >= ample:
            self.add_error("ample_cover_days", f"Ample cover ({ample} days) must be more days than scarce cover "
                                               f"({scarce} days).")
        if not self.errors:
            self._check_bounds(cleaned)
        if recompute_running() is not None:
            raise forms.ValidationError(RECOMPUTE_RUNNING_MESSAGE, code="recompute_running")
        return cleaned

    def _check_bounds(self, cleaned) -> None:
        increase = cleaned.get("max_increase_percent") or Decimal("0")
        decrease = cleaned.get("max_decrease_percent") or Decimal("0")
        conflicts = rule_bound_conflicts(category=cleaned.get("category"), max_increase_percent=increase,
                                         max_decrease_percent=decrease)
        if not conflicts.count:
            return
        example = conflicts.example
        raise forms.ValidationError(
            f"This rule could take {conflicts.count} product(s) past their own floor or ceiling, e.g. "
            f"“{example.title}” (SKU {example.sku}): list price {format_money(example.list_price)}, "
            f"{example.bound_name} {format_money(example.bound)}, but {example.move} gives {format_money(example.extreme)}. "
            "Narrow the rule's range, or widen those products' floor and ceiling.", code="out_of_bounds")
