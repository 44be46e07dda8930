// pipeline demonstrates a three-stage channel pipeline, generator ->
// square -> sink, over unbuffered channels: every hand-off blocks one
// stage in "chan send" or "chan receive" until the next one wakes it.
package main

import (
	"fmt"
	"sync"
	"time"

	"gotl/samples/internal/gotrace"
	"gotl/samples/internal/truth"
)

const items = 100

func main() {
	stopTrace := gotrace.Start() // -trace FILE: Go's own tracer too
	var (
		wg                                  sync.WaitGroup
		generatorGoid, squareGoid, sinkGoid uint64
		sum                                 int
	)
	numbers := make(chan int)
	squares := make(chan int)
	wg.Add(3)

	go func() { // generator: 1..items
		defer wg.Done()
		generatorGoid = truth.Goid()
		for i := 1; i <= items; i++ {
			numbers <- i
		}
		close(numbers)
	}()

	go func() { // square
		defer wg.Done()
		squareGoid = truth.Goid()
		for n := range numbers {
			squares <- n * n
		}
		close(squares)
	}()

	go func() { // sink
		defer wg.Done()
		sinkGoid = truth.Goid()
		for sq := range squares {
			sum += sq
		}
	}()

	wg.Wait()
	// Done runs before a goroutine returns: let them finish exiting, so a
	// trace of this run shows them gone.
	time.Sleep(5 * time.Millisecond)
	fmt.Println("sum of squares 1 ..", items, "=", sum)
	stopTrace()
	truth.Print(truth.Fields{
		"sample":         "pipeline",
		"main_goid":      truth.Goid(),
		"generator_goid": generatorGoid,
		"square_goid":    squareGoid,
		"sink_goid":      sinkGoid,
		"items":          items,
		"sum":            sum,
	})
}
