// gather_fixed is leaky's Gather done right: the channel has room for all
// n results, so every worker's send completes and no goroutine is left
// blocked once Gather has taken the first result.
package main

import (
	"fmt"
	"sync"
	"time"

	"gotl/samples/internal/truth"
)

type result struct {
	goid  uint64 // the worker that sent this value
	value int
}

var (
	workers    truth.IDs
	exited     sync.WaitGroup // each worker is Done after its send
	goFile     string         // position of the go statement in Gather
	goLine     int
	gatherGoid uint64
	winner     uint64
)

// Gather returns the first of n results; the other workers still finish.
func Gather(n int) int {
	gatherGoid = truth.Goid()
	ch := make(chan result, n) // buffered: no send ever waits
	exited.Add(n)
	for i := 0; i < n; i++ {
		goFile, goLine = truth.Here()
		go func(i int) {
			defer exited.Done()
			r := result{goid: truth.Goid(), value: compute(i)}
			workers.Add(r.goid)
			ch <- r
		}(i)
	}
	r := <-ch
	winner = r.goid
	return r.value
}

func compute(i int) int {
	sum := 0
	for k := 0; k <= 1000*(i+1); k++ {
		sum += k
	}
	return sum
}

func main() {
	fmt.Println("first result:", Gather(4))
	exited.Wait()                     // every worker has sent and returned
	time.Sleep(50 * time.Millisecond) // and has certainly exited
	fmt.Println("workers:", workers.List(), "leaked: none")
	truth.Print(truth.Fields{
		"sample":      "gather_fixed",
		"main_goid":   truth.Goid(),
		"gather_goid": gatherGoid,
		"workers":     workers.List(),
		"winner":      winner,
		"leaked":      []uint64{},
		"go_file":     goFile,
		"go_line":     goLine + 1,
	})
}
