// allocheavy: an allocation-heavy program of the usual kind. -w goroutines
// each take documents from a channel, split a generated text of a few
// hundred words into fields, count words in a map, sort the counts, format
// a report with fmt and encode it as JSON; -n documents in all. Prints the
// time per document, documents per second and allocations per document.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"gotl/bench/internal/gotrace"
)

var words = strings.Fields("the quick brown fox jumps over the lazy dog while seven " +
	"goroutines park on a channel and the scheduler readies them one by one until " +
	"the garbage collector stops the world for a short while and marks every object")

type entry struct {
	Word  string `json:"w"`
	Count int    `json:"c"`
}

func doc(i int) string {
	var b strings.Builder
	for k := 0; k < 300; k++ {
		b.WriteString(words[(i*7+k*k)%len(words)])
		b.WriteByte(' ')
	}
	return b.String()
}

func process(text string) int {
	counts := map[string]int{}
	for _, f := range strings.Fields(text) {
		counts[strings.ToUpper(f)]++
	}
	es := make([]entry, 0, len(counts))
	for w, c := range counts {
		es = append(es, entry{w, c})
	}
	sort.Slice(es, func(a, b int) bool {
		return es[a].Count > es[b].Count || es[a].Count == es[b].Count && es[a].Word < es[b].Word
	})
	lines := make([]string, 0, len(es))
	for _, e := range es {
		lines = append(lines, fmt.Sprintf("%-12s %4d", e.Word, e.Count))
	}
	out, _ := json.Marshal(es)
	return len(strings.Join(lines, "\n")) + len(out)
}

func main() {
	n := flag.Int("n", 5000, "documents")
	w := flag.Int("w", 4, "worker goroutines")
	flag.Parse()
	in := make(chan int, *w)
	var wg sync.WaitGroup
	var mu sync.Mutex
	sum := 0
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	gotrace.Start()
	t0 := time.Now()
	for k := 0; k < *w; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := 0
			for i := range in {
				s += process(doc(i))
			}
			mu.Lock()
			sum += s
			mu.Unlock()
		}()
	}
	for i := 0; i < *n; i++ {
		in <- i
	}
	close(in)
	wg.Wait()
	el := time.Since(t0)
	gotrace.Stop()
	runtime.ReadMemStats(&after)
	fmt.Printf("ns_per_op %.1f\nops %d\nops_per_s %.0f\nallocs_per_op %.1f\nsum %d\n",
		float64(el.Nanoseconds())/float64(*n), *n, float64(*n)/el.Seconds(),
		float64(after.Mallocs-before.Mallocs)/float64(*n), sum)
}
