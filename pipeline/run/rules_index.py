"""Every rule of every stage, with the reason an editor sees (for ``daen rules``)."""

from __future__ import annotations


def all_rules() -> list[tuple[str, str, str]]:
    """``(stage, rule_id, reason)`` for each edit rule and each flag, stage by stage."""
    from pipeline.fix import stage
    from pipeline.qa import check
    from pipeline.text import normalize
    from pipeline.translate import quality

    rows = [("normalize", rule.rule_id, rule.reason) for rule in normalize.RULE_ORDER]
    rows += [("normalize", rule_id, reason) for rule_id, reason in normalize.FLAG_REASONS.items()]
    rows += [("fix", rule_id, reason) for rule_id, reason in stage.rule_reasons()]
    rows += check.rule_reasons()
    rows += [("translate", rule_id, reason) for rule_id, reason in quality.rules()]
    return rows
