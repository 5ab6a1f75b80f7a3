//! Turning resolvo's conflict graph into an admin's words: what was asked, which package
//! requires what, what conflicts or obsoletes what, and what could be done.

use super::provider::{Pred, RpmProvider};
use super::{Sid, Unsolvable};
use resolvo::conflict::{Conflict, ConflictCause, ConflictEdge, ConflictNode};
use resolvo::{Requirement, Solver, VersionSetId};

fn push(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// The capability (or request) a requirement stands for.
fn requirement_text(p: &RpmProvider<'_>, r: Requirement) -> (String, Vec<VersionSetId>) {
    let vs = match r {
        Requirement::Single(v) => vec![v],
        Requirement::Union(u) => p.union_members(u),
    };
    let first = vs[0];
    let text = match p.vset_of(first).1 {
        Pred::Provides(d) => p.dep_of(d).to_string(),
        _ => p.describe_vset(first),
    };
    (text, vs)
}

/// Explain a conflict: walk its graph edge by edge, gathering what was asked and why it
/// fails, then add the hints that follow from the whole.
pub(crate) fn explain(
    solver: &Solver<RpmProvider<'_>>,
    conflict: &Conflict,
    origin: &[(VersionSetId, String)],
) -> Unsolvable {
    let cx = Ctx {
        p: solver.provider(),
        origin,
    };
    let g = conflict.graph(solver);
    let graph = &g.graph;
    let mut f = Findings::default();
    for e in graph.raw_edges() {
        let (from, to) = (graph[e.source()], graph[e.target()]);
        match e.weight {
            ConflictEdge::Requires(r) => {
                // The packages the edges like this one (same package, same requirement) lead to.
                let candidates = || {
                    graph
                        .raw_edges()
                        .iter()
                        .filter(|o| o.source() == e.source() && o.weight == e.weight)
                        .filter_map(|o| match graph[o.target()] {
                            ConflictNode::Solvable(c) => Some(cx.name(c)),
                            _ => None,
                        })
                        .collect::<Vec<String>>()
                };
                f.requires(&cx, r, from, to, candidates);
            }
            ConflictEdge::Conflict(cause) => f.conflict(&cx, cause, from, to),
        }
    }
    f.overall_hints(cx.p.pool);
    f.into_unsolvable()
}

/// What explaining needs besides the graph: the provider and where each requested version
/// set came from.
struct Ctx<'a, 'p> {
    p: &'a RpmProvider<'p>,
    origin: &'a [(VersionSetId, String)],
}

impl Ctx<'_, '_> {
    /// A solvable's NEVRA.
    fn name(&self, s: resolvo::SolvableId) -> String {
        self.p.pool.pkg(s.into_raw()).nevra()
    }

    /// The request a version set came from, if it came from one.
    fn origin_of(&self, vs: &[VersionSetId]) -> Option<String> {
        vs.iter().find_map(|v| {
            self.origin
                .iter()
                .find(|(o, _)| o == v)
                .map(|(_, w)| w.clone())
        })
    }
}

/// What the edges said so far, each list without repeats.
#[derive(Default)]
struct Findings {
    asked: Vec<String>,
    reasons: Vec<String>,
    hints: Vec<String>,
    missing: Vec<String>,
    packages: Vec<Sid>,
}

impl Findings {
    /// Remember a package the problem involves.
    fn note(&mut self, s: resolvo::SolvableId) {
        if !self.packages.contains(&s.into_raw()) {
            self.packages.push(s.into_raw());
        }
    }

    /// A `Requires` edge: what was asked, what nothing provides, or who provides it.
    fn requires(
        &mut self,
        cx: &Ctx<'_, '_>,
        r: Requirement,
        from: ConflictNode,
        to: ConflictNode,
        candidates: impl FnOnce() -> Vec<String>,
    ) {
        let (text, vs) = requirement_text(cx.p, r);
        match (from, to) {
            (ConflictNode::Root, ConflictNode::UnresolvedDependency) => {
                let why = cx
                    .origin_of(&vs)
                    .unwrap_or_else(|| format!("install {text}"));
                push(&mut self.asked, why);
                push(&mut self.reasons, format!("nothing provides {text}"));
                push(&mut self.missing, text);
            }
            (ConflictNode::Root, _) => {
                if let Some(why) = cx.origin_of(&vs) {
                    push(&mut self.asked, why);
                }
            }
            (ConflictNode::Solvable(a), ConflictNode::UnresolvedDependency) => {
                self.note(a);
                push(
                    &mut self.reasons,
                    format!("{} requires {text}, but nothing provides it", cx.name(a)),
                );
                push(&mut self.missing, text);
            }
            (ConflictNode::Solvable(a), ConflictNode::Solvable(_)) => {
                self.note(a);
                let cands = candidates();
                push(
                    &mut self.reasons,
                    format!(
                        "{} requires {text}, provided by {}",
                        cx.name(a),
                        cands.join(", ")
                    ),
                );
            }
            _ => {}
        }
    }

    /// A `Conflict` edge: a request, a conflict or obsolete, one version only, an exclusion
    /// or a lock.
    fn conflict(
        &mut self,
        cx: &Ctx<'_, '_>,
        cause: ConflictCause,
        from: ConflictNode,
        to: ConflictNode,
    ) {
        let pool = cx.p.pool;
        match (cause, from, to) {
            (ConflictCause::Constrains(vs), ConflictNode::Root, ConflictNode::Solvable(b)) => {
                self.note(b);
                let why = cx.origin_of(&[vs]).unwrap_or_else(|| "the request".into());
                push(
                    &mut self.reasons,
                    format!("{} is ruled out by `{why}`", cx.name(b)),
                );
            }
            (
                ConflictCause::Constrains(vs),
                ConflictNode::Solvable(a),
                ConflictNode::Solvable(b),
            ) => self.constrains(cx, vs, a, b),
            (
                ConflictCause::ForbidMultipleInstances,
                ConflictNode::Solvable(a),
                ConflictNode::Solvable(b),
            ) => {
                self.note(a);
                self.note(b);
                push(
                    &mut self.reasons,
                    format!(
                        "only one version of {} can be installed: {} or {}",
                        pool.group_key(pool.group(a.into_raw())),
                        cx.name(a),
                        cx.name(b)
                    ),
                );
            }
            (ConflictCause::Excluded, ConflictNode::Solvable(a), ConflictNode::Excluded(why)) => {
                self.note(a);
                push(
                    &mut self.reasons,
                    format!(
                        "{} cannot be used: {}",
                        cx.name(a),
                        resolvo::Interner::display_string(cx.p, why)
                    ),
                );
            }
            (ConflictCause::Locked(_), _, ConflictNode::Solvable(b)) => {
                push(&mut self.reasons, format!("{} is locked out", cx.name(b)));
            }
            _ => {}
        }
    }

    /// Package `a` rules out `b` through version set `vs` (a conflict or an obsolete); if `b`
    /// is installed, removing it is a way out.
    fn constrains(
        &mut self,
        cx: &Ctx<'_, '_>,
        vs: VersionSetId,
        a: resolvo::SolvableId,
        b: resolvo::SolvableId,
    ) {
        let (p, pool) = (cx.p, cx.p.pool);
        self.note(a);
        self.note(b);
        let s = match p.vset_of(vs).1 {
            Pred::NotProvides(d) => {
                format!(
                    "{} conflicts with {} (provided by {})",
                    cx.name(a),
                    p.dep_of(d),
                    cx.name(b)
                )
            }
            Pred::NotObsoletedBy(d) => {
                format!(
                    "{} obsoletes {} (replacing {})",
                    cx.name(a),
                    p.dep_of(d),
                    cx.name(b)
                )
            }
            _ => format!(
                "{} cannot be installed together with {}",
                cx.name(a),
                cx.name(b)
            ),
        };
        push(&mut self.reasons, s);
        let bi = b.into_raw();
        if pool.installed(bi) {
            push(
                &mut self.hints,
                format!(
                    "remove {} too (`xcpng-mod remove {}`), then retry",
                    pool.pkg(bi).name,
                    pool.pkg(bi).name
                ),
            );
        }
    }

    /// The hints from all the edges together: a repo for what is missing, and a note for each
    /// protected installed package the request touched.
    fn overall_hints(&mut self, pool: &super::Pool) {
        if !self.missing.is_empty() {
            push(
                &mut self.hints,
                format!(
                    "enable a repo that has {} (e.g. --enablerepo xcp-ng-testing), or check the name",
                    self.missing.join(", ")
                ),
            );
        }
        for &s in &self.packages {
            if pool.installed(s)
                && self
                    .asked
                    .iter()
                    .any(|a| a.contains("is protected") && a.contains(&pool.pkg(s).nevra()))
            {
                push(
                    &mut self.hints,
                    format!(
                        "{} is protected: xcpng-mod never removes it",
                        pool.pkg(s).name
                    ),
                );
            }
        }
    }

    /// The findings as an `Unsolvable`: the requests (as `because:`) before the reasons.
    fn into_unsolvable(self) -> Unsolvable {
        let mut all = Vec::new();
        for a in self.asked {
            all.push(format!("because: {a}"));
        }
        all.extend(self.reasons);
        Unsolvable {
            reasons: all,
            hints: self.hints,
            missing: self.missing,
            packages: self.packages,
        }
    }
}
