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

pub(crate) fn explain(
    solver: &Solver<RpmProvider<'_>>,
    conflict: &Conflict,
    origin: &[(VersionSetId, String)],
) -> Unsolvable {
    let p = solver.provider();
    let pool = p.pool;
    let g = conflict.graph(solver);
    let graph = &g.graph;
    let node = |i| graph[i];
    let name = |s: resolvo::SolvableId| pool.pkg(s.into_raw()).nevra();
    let origin_of = |vs: &[VersionSetId]| {
        vs.iter()
            .find_map(|v| origin.iter().find(|(o, _)| o == v).map(|(_, w)| w.clone()))
    };
    let mut asked = Vec::new();
    let mut reasons = Vec::new();
    let mut hints = Vec::new();
    let mut missing = Vec::new();
    let mut packages: Vec<Sid> = Vec::new();
    let note = |s: resolvo::SolvableId, packages: &mut Vec<Sid>| {
        if !packages.contains(&s.into_raw()) {
            packages.push(s.into_raw());
        }
    };
    for e in graph.raw_edges() {
        let (from, to) = (node(e.source()), node(e.target()));
        match e.weight {
            ConflictEdge::Requires(r) => {
                let (text, vs) = requirement_text(p, r);
                match (from, to) {
                    (ConflictNode::Root, ConflictNode::UnresolvedDependency) => {
                        let why = origin_of(&vs).unwrap_or_else(|| format!("install {text}"));
                        push(&mut asked, why);
                        push(&mut reasons, format!("nothing provides {text}"));
                        push(&mut missing, text);
                    }
                    (ConflictNode::Root, _) => {
                        if let Some(why) = origin_of(&vs) {
                            push(&mut asked, why);
                        }
                    }
                    (ConflictNode::Solvable(a), ConflictNode::UnresolvedDependency) => {
                        note(a, &mut packages);
                        push(
                            &mut reasons,
                            format!("{} requires {text}, but nothing provides it", name(a)),
                        );
                        push(&mut missing, text);
                    }
                    (ConflictNode::Solvable(a), ConflictNode::Solvable(_)) => {
                        note(a, &mut packages);
                        let cands: Vec<String> = graph
                            .raw_edges()
                            .iter()
                            .filter(|o| o.source() == e.source() && o.weight == e.weight)
                            .filter_map(|o| match node(o.target()) {
                                ConflictNode::Solvable(c) => Some(name(c)),
                                _ => None,
                            })
                            .collect();
                        push(
                            &mut reasons,
                            format!(
                                "{} requires {text}, provided by {}",
                                name(a),
                                cands.join(", ")
                            ),
                        );
                    }
                    _ => {}
                }
            }
            ConflictEdge::Conflict(cause) => match (cause, from, to) {
                (ConflictCause::Constrains(vs), ConflictNode::Root, ConflictNode::Solvable(b)) => {
                    note(b, &mut packages);
                    let why = origin_of(&[vs]).unwrap_or_else(|| "the request".into());
                    push(&mut reasons, format!("{} is ruled out by `{why}`", name(b)));
                }
                (
                    ConflictCause::Constrains(vs),
                    ConflictNode::Solvable(a),
                    ConflictNode::Solvable(b),
                ) => {
                    note(a, &mut packages);
                    note(b, &mut packages);
                    let s = match p.vset_of(vs).1 {
                        Pred::NotProvides(d) => {
                            format!(
                                "{} conflicts with {} (provided by {})",
                                name(a),
                                p.dep_of(d),
                                name(b)
                            )
                        }
                        Pred::NotObsoletedBy(d) => {
                            format!(
                                "{} obsoletes {} (replacing {})",
                                name(a),
                                p.dep_of(d),
                                name(b)
                            )
                        }
                        _ => format!("{} cannot be installed together with {}", name(a), name(b)),
                    };
                    push(&mut reasons, s);
                    let bi = b.into_raw();
                    if pool.installed(bi) {
                        push(
                            &mut hints,
                            format!(
                                "remove {} too (`xcpng-mod remove {}`), then retry",
                                pool.pkg(bi).name,
                                pool.pkg(bi).name
                            ),
                        );
                    }
                }
                (
                    ConflictCause::ForbidMultipleInstances,
                    ConflictNode::Solvable(a),
                    ConflictNode::Solvable(b),
                ) => {
                    note(a, &mut packages);
                    note(b, &mut packages);
                    push(
                        &mut reasons,
                        format!(
                            "only one version of {} can be installed: {} or {}",
                            pool.group_key(pool.group(a.into_raw())),
                            name(a),
                            name(b)
                        ),
                    );
                }
                (
                    ConflictCause::Excluded,
                    ConflictNode::Solvable(a),
                    ConflictNode::Excluded(why),
                ) => {
                    note(a, &mut packages);
                    push(
                        &mut reasons,
                        format!(
                            "{} cannot be used: {}",
                            name(a),
                            resolvo::Interner::display_string(p, why)
                        ),
                    );
                }
                (ConflictCause::Locked(_), _, ConflictNode::Solvable(b)) => {
                    push(&mut reasons, format!("{} is locked out", name(b)));
                }
                _ => {}
            },
        }
    }
    if !missing.is_empty() {
        push(
            &mut hints,
            format!(
                "enable a repo that has {} (e.g. --enablerepo xcp-ng-testing), or check the name",
                missing.join(", ")
            ),
        );
    }
    for &s in &packages {
        if pool.installed(s)
            && asked
                .iter()
                .any(|a| a.contains("is protected") && a.contains(&pool.pkg(s).nevra()))
        {
            push(
                &mut hints,
                format!(
                    "{} is protected: xcpng-mod never removes it",
                    pool.pkg(s).name
                ),
            );
        }
    }
    let mut all = Vec::new();
    for a in asked {
        all.push(format!("because: {a}"));
    }
    all.extend(reasons);
    Unsolvable {
        reasons: all,
        hints,
        missing,
        packages,
    }
}
