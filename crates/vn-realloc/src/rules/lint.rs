//! Linting a loaded rule set: rules shadowed under first match, conditions that never or always hold,
//! obstacle codes no group catches, priority tiers no rule reaches, parameters and metrics never read.

use crate::diag::{Diagnostics, Location};
use crate::domain::Obstacle;

use super::{Part, Rule, Rules};

impl Rules {
    /// Warnings about a rule set that loads but is probably not what its author meant, each with
    /// `file:line` and the rule id.
    pub fn lint(&self) -> Diagnostics {
        let mut d = self.load_warnings.clone();
        let mut warn = |line: usize, msg: String| d.warning(&self.file, Location::Line { line }, msg);

        for (what, rules) in [("pace class", &self.paces), ("tier rule", &self.tiers)] {
            for (i, r) in rules.iter().enumerate() {
                if r.when.expr.constant() == Some(0.0) {
                    warn(
                        r.info.line,
                        format!("{what} `{}` never matches: its condition is always false", r.info.id),
                    );
                    continue;
                }
                let earlier = rules[..i].iter().find(|e| {
                    e.when.expr.constant().is_some_and(|v| v != 0.0)
                        || normal(&e.when.text) == normal(&r.when.text)
                });
                if let Some(e) = earlier {
                    warn(
                        r.info.line,
                        format!(
                            "{what} `{}` is shadowed: `{}` (line {}) matches every row it would match, and the first match wins",
                            r.info.id, e.info.id, e.info.line
                        ),
                    );
                }
            }
            if let Some(last) = rules.last()
                && last.when.expr.constant().is_none_or(|v| v == 0.0)
            {
                let fallback = if what == "tier rule" {
                    "it then gets tier 13".to_owned()
                } else {
                    format!("it is then classed `{}`", last.info.id)
                };
                warn(
                    last.info.line,
                    format!("no {what} has the condition `true`: a row may match none, and {fallback}"),
                );
            }
        }

        for g in &self.groups {
            match g.when.expr.constant() {
                Some(0.0) => warn(
                    g.info.line,
                    format!("group `{}` never matches: its condition is always false", g.info.id),
                ),
                Some(_) => warn(
                    g.info.line,
                    format!("group `{}` holds every row: its condition is always true", g.info.id),
                ),
                None => {}
            }
        }

        for o in Obstacle::ALL {
            if !self.groups.iter().any(|g| g.when.obstacles.contains(o)) {
                let line = self.groups.first().map_or(1, |g| g.info.line);
                warn(
                    line,
                    format!(
                        "obstacle code `{}` ({}) has no group: no group condition tests has_obstacle(\"{}\")",
                        o.code(),
                        o.label_vi(),
                        o.code()
                    ),
                );
            }
        }

        let line = self.tiers.first().map_or(1, |t| t.info.line);
        for tier in 1..=13u8 {
            if !self.tiers.iter().any(|t| t.info.tier == Some(tier) && t.when.expr.constant() != Some(0.0)) {
                warn(
                    line,
                    format!(
                        "priority tier {tier} ({}) is never reached: no tier rule assigns it",
                        tier_name(tier)
                    ),
                );
            }
        }

        let mut read = vec![false; self.scope.len()];
        let rules: Vec<&Rule> =
            self.metrics.iter().chain(&self.groups).chain(&self.paces).chain(&self.tiers).collect();
        for r in &rules {
            for &s in &r.when.reads {
                read[usize::from(s)] = true;
            }
            for part in r.reason.iter().flat_map(|t| &t.parts) {
                if let Part::Slot(s) = part {
                    read[usize::from(*s)] = true;
                }
            }
        }
        let eligibility = self.eligibility.iter().flat_map(|e| e.when.iter().chain(&e.limit));
        for c in self.model.iter().chain(&self.absorption).map(|f| &f.expr).chain(eligibility) {
            for &s in &c.reads {
                read[usize::from(s)] = true;
            }
        }
        // Parameters the tool itself reads, outside the expressions.
        const READ_BY_THE_TOOL: [&str; 1] = ["parameter `conclusion_days`"];
        for (what, slot, line) in &self.unused_candidates {
            if !read[usize::from(*slot)] && !READ_BY_THE_TOOL.contains(&what.as_str()) {
                warn(*line, format!("{what} is never read by any rule"));
            }
        }
        d
    }
}

/// A condition without white space, to spot two identical conditions.
fn normal(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The priority tiers of Law 58/2024 Art. 54(4) as amended.
pub fn tier_name(tier: u8) -> &'static str {
    match tier {
        1 => "special and emergency projects",
        2 => "national target programmes and nationally important projects",
        3 => "repayment of advanced capital",
        4 => "completed and handed-over projects not yet fully funded",
        5 => "ODA projects and their counterpart funds",
        6 => "state capital in PPP projects",
        7 => "ongoing projects to be completed within the period",
        8 => "ongoing projects on schedule",
        9 => "planning and investment preparation",
        10 => "construction debt before 2015",
        11 => "interest subsidies and fees",
        12 => "capital entrusted to the Social Policy Bank",
        13 => "new projects",
        _ => "not a tier",
    }
}
