// spawn demonstrates goroutine churn: three waves of 50 short-lived
// goroutines, each wave started only after the previous one has exited,
// so the runtime reuses the dead goroutines' g structs for new ones (with
// new goroutine ids). Wave 2 is started by a "spawner" goroutine instead
// of main.
package main

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"gotl/samples/internal/gotrace"
	"gotl/samples/internal/truth"
)

const (
	nWaves  = 3
	perWave = 50
)

// parents maps each wave goroutine's id to its parent's id. The waves run
// one after another, so it is never written concurrently.
var parents = map[string]uint64{}

// wave starts perWave goroutines, lets them all block on a gate so they
// are alive at the same time, then releases them and waits until they
// have exited. It returns their ids.
func wave() []uint64 {
	parent := truth.Goid()
	var (
		ids             truth.IDs
		started, exited sync.WaitGroup
	)
	gate := make(chan struct{})
	for i := 0; i < perWave; i++ {
		started.Add(1)
		exited.Add(1)
		go func() {
			defer exited.Done()
			ids.Add(truth.Goid())
			started.Done()
			<-gate
		}()
	}
	started.Wait()
	close(gate)
	exited.Wait()
	time.Sleep(5 * time.Millisecond) // they are fully gone, g structs freed

	for _, id := range ids.List() {
		parents[strconv.FormatUint(id, 10)] = parent
	}
	return ids.List()
}

func main() {
	stopTrace := gotrace.Start() // -trace FILE: Go's own tracer too
	waves := [][]uint64{wave()}

	var spawnerGoid uint64
	done := make(chan []uint64)
	go func() { // the spawner runs wave 2
		spawnerGoid = truth.Goid()
		done <- wave()
	}()
	waves = append(waves, <-done)

	waves = append(waves, wave())

	total := 0
	for i, w := range waves {
		fmt.Printf("wave %d: %d goroutines, ids %d..%d\n", i+1, len(w), w[0], w[len(w)-1])
		total += len(w)
	}
	stopTrace()
	truth.Print(truth.Fields{
		"sample":       "spawn",
		"main_goid":    truth.Goid(),
		"spawner_goid": spawnerGoid,
		"waves":        waves,
		"parents":      parents,
		"total":        total,
		"per_wave":     perWave,
	})
}
