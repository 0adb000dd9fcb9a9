"""Every rule of every stage, with the reason an editor sees (for ``daen rules``)."""

from __future__ import annotations


def all_rules() -> list[tuple[str, str, str]]:
    """``(stage, rule_id, reason)`` for each edit rule and each flag, stage by stage."""
    from pipeline import normalize

    rows = [("normalize", rule.rule_id, rule.reason) for rule in normalize.RULE_ORDER]
    rows += [("normalize", rule_id, reason) for rule_id, reason in normalize.FLAG_REASONS.items()]
    from pipeline import fix

    rows += [("fix", rule_id, reason) for rule_id, reason in fix.rule_reasons()]
    from pipeline import qa

    rows += qa.rule_reasons()
    from pipeline import quality

    rows += [("translate", rule_id, reason) for rule_id, reason in quality.rules()]
    return rows
