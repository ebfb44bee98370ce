// Package patrols keeps the patrols (巡街) that lane chiefs and inspectors walk: the track their
// phone records, stored as sent and built into a LineString at the end, the share of their areas it
// covers, and the proof verdict of internal/fieldproof's rules — so a drive, a desk check-in or a
// replayed track is flagged with its reasons. It owns the patrol tables (migration 0036) and reads
// others' records only through their owners' published views and Go APIs; it must not depend on HTTP.
package patrols
