// allocbench: what an allocation costs. It allocates -n objects of one kind
// in a tight loop on one goroutine (few goroutine transitions, so the
// allocation probes are what is measured) and prints the time per
// allocation; -kind json instead encodes and decodes a small document -n
// times, an allocation-heavy "real" workload, and prints the time per
// round and the allocations per round.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"
)

type Node struct {
	next *Node
	val  int
	name string
}

type Item struct {
	ID    int               `json:"id"`
	Name  string            `json:"name"`
	Tags  []string          `json:"tags"`
	Attrs map[string]string `json:"attrs"`
}

var sink interface{}

func main() {
	n := flag.Int("n", 1000000, "rounds")
	kind := flag.String("kind", "node", "node (32-byte struct with pointers), bytes (100-byte []byte), json")
	flag.Parse()

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	switch *kind {
	case "node":
		var keep *Node
		for i := 0; i < *n; i++ {
			keep = &Node{next: keep, val: i}
			if i%1024 == 0 {
				keep = nil // let the GC have them
			}
		}
		sink = keep
	case "bytes":
		for i := 0; i < *n; i++ {
			sink = make([]byte, 100)
		}
	case "json":
		doc := []Item{{1, "one", []string{"a", "b"}, map[string]string{"k": "v"}},
			{2, "two", []string{"c"}, map[string]string{"x": "y", "z": "w"}}}
		for i := 0; i < *n; i++ {
			b, err := json.Marshal(doc)
			if err != nil {
				panic(err)
			}
			var back []Item
			if err := json.Unmarshal(b, &back); err != nil {
				panic(err)
			}
			sink = back
		}
	default:
		fmt.Fprintln(os.Stderr, "allocbench: unknown -kind", *kind)
		os.Exit(2)
	}
	el := time.Since(t0)
	runtime.ReadMemStats(&after)
	allocs := after.Mallocs - before.Mallocs
	fmt.Printf("ns_per_round %.1f\nallocs_per_round %.2f\nns_per_alloc %.1f\n",
		float64(el.Nanoseconds())/float64(*n), float64(allocs)/float64(*n),
		float64(el.Nanoseconds())/float64(allocs))
}
