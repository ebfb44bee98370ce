// Package fieldproof judges whether work recorded from the field was done where and how it says:
// a check-in at a shop, a patrol along streets. The known failures of chief systems are check-ins
// from the office and patrols that never walked the street (虚假巡查, 应付式巡查); each rule here
// catches one way of faking, with a threshold the deployment may change.
//
// A verdict flags a record, never refuses it: the record is kept, counted separately, and the
// reasons — codes with the figure measured and the limit it broke — are rendered by the user
// interfaces in their own language.
//
// Pure: no database, no HTTP. Callers measure what needs PostGIS (a track's coverage of its areas,
// its overlap with earlier tracks) and pass the figures in.
package fieldproof
