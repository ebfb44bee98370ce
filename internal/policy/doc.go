// Package policy is the assessment's rules (《龙岩中心城区"街长制"考评奖惩办法》) as a pure function of
// quarters' scores: ranking, project funds, deductions, interviews (约谈), public explanations and the
// year's collective commendation, each with the rule, the figures and the place that triggered it.
// The assessment and the simulator share this one implementation; it knows no SQL, no HTTP and no
// subdistrict beyond a key (an id or a name).
//
// The rules, each configurable in Rules (defaults in brackets):
//
//   - Scores are hundredths of a point (Score), compared exactly: 84.99 is never above 85.
//   - Ranking: descending score; tied scores share a rank (1, 2, 2, 4). A tie is never broken by key
//     or name; what the tied receive is the tie rule's (Rules.Ties, [split]):
//     split — they share the sum of the amounts of the money places they occupy equally, each share
//     rounded down to whole yuan and the unpaid remainder stated; each — every one gets the amount
//     of the place they share (the best for rewards; for penalties all tied for last are last);
//     none_if_tied — a tied money place pays nothing.
//   - Rewards each quarter: places 1, 2, 3 [500,000, 300,000, 200,000 yuan] to a subdistrict whose
//     score is above [85, strictly]. A place whose holder falls short pays nothing, and its amount
//     never passes down to a lower place.
//   - Penalties: last place [200,000], second-to-last [100,000] deducted if the score is below
//     [70, strictly]. Rules.Check refuses thresholds under which one score could earn both, so with
//     fewer subdistricts than places (a subdistrict holding a reward place and a penalty place) it
//     still gets at most one of them.
//   - Interviews: a subdistrict last (all tied for last are last) with a score below [70, strictly]
//     in [2] consecutive quarters, this one included, is interviewed; in [3] it also explains itself
//     in the main local media. A quarter not last, not below, or without its score ends the run; a
//     longer run keeps both.
//   - Annual, when the quarters hold Q1–Q4 of a year (the latest such year): the mean of the four
//     scores rounded half-up to hundredths; the top [3] whose average is not below [85, inclusive]
//     are commended. A tie running past the last place is commended whole (split, each) or not at
//     all (none_if_tied). A subdistrict missing from a quarter has no average and is not commended.
package policy
