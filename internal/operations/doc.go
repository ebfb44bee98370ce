// Package operations keeps the joint enforcement operations (联合执法行动) a street chief runs with the
// enforcement departments of a subdistrict: planned ones (计划) and those at short notice (临时), their
// departments and people, their targets (a drawn polygon, areas, shops from the repeat-offender list
// and others, open cases), the cases opened on the spot, and what each achieved.
//
// It owns the operation tables (migration 0028) and reads the registry, merchant and incident views
// their owners publish; cases themselves stay incidents' and are read through its Go API.
//
// A drawn target must be a valid polygon that meets the subdistrict; it may reach across the
// boundary, because an operation along a boundary street deals with both of its sides.
//
// Who may see an operation: administrators and district leaders all of them; a street chief those
// of their subdistricts, and only they and administrators plan, change, cancel and close them; a
// department liaison those their department takes part in, in their subdistricts; a lane chief those
// of the subdistrict their communities belong to, because operations pass through their lanes and
// they are the ones asked where the shops are. Phones of the people taking part come through the
// registry, which shows them only in the caller's scope.
package operations
