package migrate

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteReport prints the plans for a person: one paragraph a release, then
// the totals. dryRun and deleteTiller say what the run did or would do.
func WriteReport(w io.Writer, plans []Plan, dryRun, deleteTiller bool) {
	will := func(now, later string) string {
		if dryRun {
			return later
		}
		return now
	}
	counts := map[State]int{}
	revisions := 0
	for _, p := range plans {
		counts[p.State]++
		where := ""
		if p.Namespace != "" {
			where = " → namespace " + p.Namespace
		}
		fmt.Fprintf(w, "release %s (Tiller revisions %s)%s: %s\n", p.Release, ints(p.Revisions), where, p.State)
		switch p.State {
		case StateMigrate:
			revisions += len(p.Create)
			names := make([]string, len(p.Create))
			for i, v := range p.Create {
				names[i] = Secret(p.Release, v)
			}
			fmt.Fprintf(w, "  %s %s\n", will("created", "would create"), strings.Join(names, ", "))
			if len(p.Existing) > 0 {
				fmt.Fprintf(w, "  already in Helm's storage: revisions %s\n", ints(p.Existing))
			}
		case StateMigrated:
			fmt.Fprintf(w, "  Helm's storage already holds its history: nothing to write\n")
		default:
			fmt.Fprintf(w, "  nothing %s: %s\n", will("written", "would be written"), p.Reason)
		}
		for _, n := range p.Notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
		if p.State != StateMigrate && p.State != StateMigrated || len(p.Tiller) == 0 {
			continue
		}
		objs := make([]string, len(p.Tiller))
		for i, o := range p.Tiller {
			objs[i] = o.Kind + " " + o.Name
		}
		switch {
		case p.TillerDeleted:
			fmt.Fprintf(w, "  deleted Tiller's %s\n", strings.Join(objs, ", "))
		case deleteTiller && dryRun:
			fmt.Fprintf(w, "  would delete Tiller's %s\n", strings.Join(objs, ", "))
		case !deleteTiller:
			fmt.Fprintf(w, "  Tiller's %s kept (-delete-tiller-releases deletes them)\n", strings.Join(objs, ", "))
		}
	}
	fmt.Fprintf(w, "%s: %d release(s) to migrate (%d revision(s)), %d already migrated, %d in conflict, %d failed%s\n",
		will("done", "dry run"), counts[StateMigrate], revisions, counts[StateMigrated], counts[StateConflict], counts[StateFailed],
		will("", "; nothing was written"))
}

func ints(vs []int) string {
	if len(vs) == 0 {
		return "none"
	}
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ", ")
}
