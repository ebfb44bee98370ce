// Package tasks keeps the tasks the city or the district hands down to the subdistricts (督办, the
// street chief's fifth duty): what is to be done, where and by when; each subdistrict's part, broken
// down by its street chief into items for its communities; the progress reported on each item with
// photos and positions; the issuer's acceptance or return; what is overdue, told once to the street
// chief and then to the issuer; and, for the assessment, how many items fell due and were accepted.
//
// It owns the task tables (migration 0035), reads the registry's published views, tells people
// through notify in its own transactions and checks photos as incidents do. It must not depend on
// the assessment, which reads Completion.
//
// Who may do what: administrators and district leaders issue, change, cancel, accept and return, and
// read everything, as assessors read; a street chief reads and breaks down their subdistricts' parts
// only and reports on their items; a lane chief reads and reports on the items of their communities.
package tasks
