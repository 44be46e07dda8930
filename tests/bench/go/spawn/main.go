// spawn: what a goroutine's creation and exit cost. The main goroutine
// starts -batch goroutines that each only signal a WaitGroup and return,
// waits for them, and repeats until -n goroutines have run. Each goroutine
// makes 3 transitions (created runnable, runs, exits); the main goroutine's
// wait adds at most 3 per batch (park, ready, run). Prints the time per
// goroutine and the transitions per goroutine this implies.
package main

import (
	"flag"
	"fmt"
	"sync"
	"time"

	"gotl/bench/internal/gotrace"
)

var sink [64]uint64

func main() {
	n := flag.Int("n", 200000, "goroutines in all")
	batch := flag.Int("batch", 100, "goroutines started before waiting for them")
	flag.Parse()
	var wg sync.WaitGroup
	rounds := *n / *batch
	gotrace.Start()
	t0 := time.Now()
	for r := 0; r < rounds; r++ {
		wg.Add(*batch)
		for i := 0; i < *batch; i++ {
			go func(i int) {
				sink[i%64]++
				wg.Done()
			}(i)
		}
		wg.Wait()
	}
	el := time.Since(t0)
	gotrace.Stop()
	total := rounds * *batch
	fmt.Printf("ns_per_op %.1f\nops %d\ntransitions_per_op %.3f\n",
		float64(el.Nanoseconds())/float64(total), total, 3+3/float64(*batch))
}
