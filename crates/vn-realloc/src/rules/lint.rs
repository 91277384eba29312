//! Linting a loaded rule set: rules shadowed under first match, conditions that never or always hold,
//! obstacle codes no group catches, priority tiers no rule reaches, parameters and metrics never read.

use crate::diag::{Diagnostics, Location, Msg};
use crate::domain::Obstacle;
use crate::msg;

use super::{Part, Rule, Rules};

impl Rules {
    /// Warnings about a rule set that loads but is probably not what its author meant, each with
    /// `file:line` and the rule id.
    pub fn lint(&self) -> Diagnostics {
        let mut d = self.load_warnings.clone();
        let mut warn = |line: usize, m: Msg| d.warning(&self.file, Location::Line { line }, m);

        for (what, what_vi, rules) in
            [("pace class", "nhóm tiến độ", &self.paces), ("tier rule", "quy tắc ưu tiên", &self.tiers)]
        {
            for (i, r) in rules.iter().enumerate() {
                if r.when.expr.constant() == Some(0.0) {
                    warn(
                        r.info.line,
                        msg!(
                            "W902",
                            en("{what} `{}` never matches: its condition is always false", r.info.id),
                            vi("{what_vi} `{}` không bao giờ khớp: điều kiện luôn sai", r.info.id)
                        ),
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
                        msg!(
                            "W903",
                            en(
                                "{what} `{}` is shadowed: `{}` (line {}) matches every row it would match, and the first match wins",
                                r.info.id,
                                e.info.id,
                                e.info.line
                            ),
                            vi(
                                "{what_vi} `{}` bị che: `{}` (dòng {}) khớp mọi dòng mà nó khớp, và quy tắc khớp đầu tiên được áp dụng",
                                r.info.id,
                                e.info.id,
                                e.info.line
                            )
                        ),
                    );
                }
            }
            if let Some(last) = rules.last()
                && last.when.expr.constant().is_none_or(|v| v == 0.0)
            {
                let (fallback, fallback_vi) = if what == "tier rule" {
                    ("it then gets tier 13".to_owned(), "khi đó dòng nhận thứ tự ưu tiên 13".to_owned())
                } else {
                    (
                        format!("it is then classed `{}`", last.info.id),
                        format!("khi đó dòng được xếp `{}`", last.info.id),
                    )
                };
                warn(
                    last.info.line,
                    msg!(
                        "W904",
                        en("no {what} has the condition `true`: a row may match none, and {fallback}"),
                        vi(
                            "không {what_vi} nào có điều kiện `true`: một dòng có thể không khớp quy tắc nào, và {fallback_vi}"
                        )
                    ),
                );
            }
        }

        for g in &self.groups {
            match g.when.expr.constant() {
                Some(0.0) => warn(
                    g.info.line,
                    msg!(
                        "W905",
                        "group `{}` never matches: its condition is always false",
                        "nhóm vướng mắc `{}` không bao giờ khớp: điều kiện luôn sai",
                        g.info.id
                    ),
                ),
                Some(_) => warn(
                    g.info.line,
                    msg!(
                        "W906",
                        "group `{}` holds every row: its condition is always true",
                        "nhóm vướng mắc `{}` chứa mọi dòng: điều kiện luôn đúng",
                        g.info.id
                    ),
                ),
                None => {}
            }
        }

        for o in Obstacle::ALL {
            if !self.groups.iter().any(|g| g.when.obstacles.contains(o)) {
                let line = self.groups.first().map_or(1, |g| g.info.line);
                warn(
                    line,
                    msg!(
                        "W907",
                        "obstacle code `{0}` ({1}) has no group: no group condition tests has_obstacle(\"{0}\")",
                        "mã vướng mắc `{0}` ({1}) không thuộc nhóm nào: không điều kiện nhóm nào xét has_obstacle(\"{0}\")",
                        o.code(),
                        o.label_vi()
                    ),
                );
            }
        }

        let line = self.tiers.first().map_or(1, |t| t.info.line);
        for tier in 1..=13u8 {
            if !self.tiers.iter().any(|t| t.info.tier == Some(tier) && t.when.expr.constant() != Some(0.0)) {
                warn(
                    line,
                    msg!(
                        "W908",
                        en(
                            "priority tier {tier} ({}) is never reached: no tier rule assigns it",
                            tier_name(tier)
                        ),
                        vi("không dòng nào nhận thứ tự ưu tiên {tier}: không quy tắc ưu tiên nào gán nó")
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
                warn(
                    *line,
                    msg!(
                        "W909",
                        en("{what} is never read by any rule"),
                        vi("{what_vi} không được quy tắc nào đọc", what_vi = unused_vi(what))
                    ),
                );
            }
        }
        d
    }
}

/// "parameter `x`" and "metric `x`" (see `Rules::unused_candidates`) in Vietnamese.
fn unused_vi(what: &str) -> String {
    if let Some(rest) = what.strip_prefix("parameter ") {
        format!("tham số {rest}")
    } else if let Some(rest) = what.strip_prefix("metric ") {
        format!("chỉ số {rest}")
    } else {
        what.to_owned()
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
