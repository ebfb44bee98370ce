package patrols_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/patrols"
	"streetchief/internal/registry"
)

// BenchmarkDayOfPatrols stores and scores a district's day of patrols: 500 people, each one patrol
// of two hours recorded at a fix every 10 s and thinned on the phone to about 300 fixes, sent as one
// batch and ended, by four phones at a time. One op is the whole day.
func BenchmarkDayOfPatrols(b *testing.B) {
	const people, perPatrol = 500, 300
	w := newWorld(b)
	ctx := context.Background()
	who := make([]access.Principal, people)
	for i := range who {
		p, err := w.reg.CreatePerson(ctx, system, registry.PersonInput{Name: fmt.Sprintf("巡查员%d", i), Active: true})
		if err != nil {
			b.Fatal(err)
		}
		who[i] = access.Principal{Username: fmt.Sprintf("walker%d", i), Role: access.Inspector, PersonID: p.ID,
			Scope: access.Scope{Subdistricts: []int64{w.sub.ID}}}
	}
	now := time.Now()
	day := now.Add(-26 * time.Hour).Truncate(time.Hour)
	type patrol struct {
		start, fixes, end []byte
	}
	plan := func(round int) []patrol {
		out := make([]patrol, people)
		for i := range out {
			all := w.along(uint64(round*people+i), day.Add(time.Duration(i)*time.Second), 1.1, 10, 2*time.Hour, 4, 9)
			thinned := make([]patrols.Fix, 0, perPatrol)
			for k := 0; k < len(all); k += len(all) / perPatrol {
				f := all[k]
				f.Seq = len(thinned)
				thinned = append(thinned, f)
			}
			last := thinned[len(thinned)-1].At
			out[i] = patrol{start: startBody(thinned[0].At, fmt.Sprintf(`, "area_ids": [%d]`, w.street.ID)), fixes: fixesBody(b, thinned),
				end: []byte(`{"ended_at": "` + last.Add(time.Second).Format(time.RFC3339Nano) + `"}`)}
		}
		return out
	}
	var suspect int
	b.ResetTimer()
	for round := 0; round < b.N; round++ {
		b.StopTimer()
		day := plan(round)
		b.StartTimer()
		jobs := make(chan int)
		errs := make(chan error, people)
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					p, err := record(ctx, w.store, who[i], day[i].start, day[i].fixes, day[i].end)
					if err != nil {
						errs <- err
						continue
					}
					mu.Lock()
					if p.Suspect {
						suspect++
					}
					mu.Unlock()
				}
			}()
		}
		for i := range people {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(suspect)/float64(b.N), "suspect/op")
}

// record sends one patrol as the HTTP handlers would: decode, start, fixes, end.
func record(ctx context.Context, s *patrols.Store, who access.Principal, start, fixes, end []byte) (patrols.Patrol, error) {
	now := time.Now()
	id := newID()
	in, err := patrols.DecodeStart(id, start, now)
	if err != nil {
		return patrols.Patrol{}, err
	}
	if _, _, err := s.Start(ctx, who, in); err != nil {
		return patrols.Patrol{}, err
	}
	batch, err := patrols.DecodeFixes(fixes, now)
	if err != nil {
		return patrols.Patrol{}, err
	}
	if _, err := s.AddFixes(ctx, who, id, batch); err != nil {
		return patrols.Patrol{}, err
	}
	e, err := patrols.DecodeEnd(end, now)
	if err != nil {
		return patrols.Patrol{}, err
	}
	return s.End(ctx, who, id, e)
}
