// Package duties keeps the duty records of deputies and committee members (两代表一委员) and party
// members: who they are and the community (or, for party members, the unit) they are linked to, their
// signed pledges (承诺书), their duty records (履职记录) entered by themselves or their community and
// confirmed or returned by it, the yearly summaries, and party members' yearly evaluation on a
// versioned template (《龙岩市共产党员文明建设履职考评办法》) with its exports.
//
// It owns the duty_* tables (migration 0040), reads the registry's published views and checks photos
// as incidents do. It must not depend on reports, which read its views duty_member_standing and
// duty_record_standing for the silent_deputies gap.
//
// Who may do what: administrators everything; a lane chief registers, enters, confirms and returns in
// their communities; a street chief registers and evaluates in their subdistricts; a participant
// (the member's own account) enters and reads their own records only; district leaders and assessors
// read everything.
package duties
