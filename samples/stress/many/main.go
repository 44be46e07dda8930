// many starts 100,000 goroutines (or `many WAVES PER_WAVE`), in 10 waves
// of 10,000 that are all alive at once: each waits for its wave's start
// signal (one close wakes them all), does a little arithmetic and sends its result to main, which joins
// every one before the next wave. It prints the count and a checksum that
// do not depend on scheduling, and the sum of the workers' goroutine ids so
// the tests can check that the trace saw exactly these goroutines. It must
// not print anything that depends on timing or on goroutine ids outside
// its truth line.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync/atomic"

	"gotl/samples/internal/truth"
)

var goidSum uint64

// work is the little arithmetic each goroutine does: 64 rounds of an
// xorshift on its index.
func work(i int) uint64 {
	x := uint64(i)*0x9E3779B97F4A7C15 + 1
	for r := 0; r < 64; r++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

func main() {
	waves, perWave := 10, 10000
	if len(os.Args) == 3 { // a smaller run: many WAVES PER_WAVE
		waves, _ = strconv.Atoi(os.Args[1])
		perWave, _ = strconv.Atoi(os.Args[2])
	}
	var sum uint64
	results := make(chan uint64, 64)
	_, goLine := truth.Here()
	goLine += 6 // the go statement below
	for w := 0; w < waves; w++ {
		start := make(chan struct{})
		for i := 0; i < perWave; i++ {
			n := w*perWave + i
			go func() {
				atomic.AddUint64(&goidSum, truth.Goid())
				<-start
				results <- work(n)
			}()
		}
		close(start)
		for i := 0; i < perWave; i++ {
			sum += <-results
		}
	}
	fmt.Printf("many: %d goroutines in %d waves of %d, checksum %016x\n",
		waves*perWave, waves, perWave, sum)
	file, _ := truth.Here()
	truth.Print(truth.Fields{
		"sample":    "many",
		"main_goid": truth.Goid(),
		"created":   waves * perWave,
		"goid_sum":  atomic.LoadUint64(&goidSum),
		"go_file":   file,
		"go_line":   goLine,
	})
}
