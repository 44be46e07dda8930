// workerpool starts a pool of workers that range over a jobs channel, sends
// them all the jobs, collects every result — and forgets to close the jobs
// channel, so the workers wait in "chan receive" forever: a leak that no
// test notices, since the program's output is right.
package main

import (
	"fmt"
	"sync"
	"time"

	"gotl/samples/internal/truth"
)

const nworkers, njobs = 3, 10

var (
	workers    truth.IDs
	registered sync.WaitGroup
	rangeFile  string
	rangeLine  int
)

func worker(jobs <-chan int, results chan<- int) {
	workers.Add(truth.Goid())
	rangeFile, rangeLine = truth.Here()
	registered.Done()
	for j := range jobs { // the workers leak here: jobs is never closed
		results <- j * j
	}
}

func main() {
	jobs, results := make(chan int), make(chan int)
	registered.Add(nworkers)
	var goFile string
	var goLine int
	for i := 0; i < nworkers; i++ {
		goFile, goLine = truth.Here()
		go worker(jobs, results)
	}
	registered.Wait()
	go func() {
		for j := 1; j <= njobs; j++ {
			jobs <- j
		}
		// close(jobs) is missing
	}()
	sum := 0
	for i := 0; i < njobs; i++ {
		sum += <-results
	}
	fmt.Println("sum of squares:", sum)
	time.Sleep(50 * time.Millisecond)
	truth.Print(truth.Fields{
		"sample":      "workerpool",
		"main_goid":   truth.Goid(),
		"workers":     workers.List(),
		"jobs":        njobs,
		"sum":         sum,
		"go_file":     goFile,
		"go_line":     goLine + 1,
		"block_file":  rangeFile,
		"block_line":  rangeLine + 2,
		"wait_reason": "chan receive",
	})
}
