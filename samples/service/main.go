// service is a long-running Go process for gotl's attach mode (record -p).
// Before it reports ready it leaks goroutines that stay blocked for good
// (3 in "chan send", 2 in "sync.Mutex.Lock", 1 in "select"), one that
// sleeps for an hour, and a ticker goroutine; it has the long-lived
// goroutines of a real service (a signal.Notify loop for SIGHUP, a ticker
// loop, an idle pool of 4 workers) and a leak that keeps growing (one more
// goroutine blocked for good in "chan send" every 20 ms, from before it is
// ready to its end); then it serves "requests" (a spawned goroutine every
// 2 ms that hands a value over a channel) until stdin is closed or it gets
// SIGTERM/SIGINT.
//
// With SERVICE_BUSY=N it also has 2000 idle goroutines (blocked in "chan
// receive" for good), then N busy ones that work 20 µs and sleep 20 µs in
// turn: they change state tens of thousands of times a second, also while gotl
// reads the 2000 before them when it attaches.
//
// With SERVICE_CHILDREN=1 it also runs a copy of itself (`service child`)
// every 200 ms, for record -p --follow: a child runs 5 goroutines that hand
// a value over a channel, checks the sum and exits 0; the service counts
// the children that did not, and prints the counts when it exits.
//
// It prints its truth line first (as soon as everything is blocked), not
// last, so a test can attach while it runs: the goids of each group, where
// they block, and its pid. At the end it prints a second truth line, every
// goroutine of the growing leak ("gotl-truth-end"), then "served requests;
// exiting", and exits 0, so a test can check it ran on unharmed after gotl
// detached.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"gotl/samples/internal/truth"
)

var (
	ids sync.Mutex
	// goids by group, and where each group blocks
	chanSenders, lockWaiters, selecters truth.IDs
	sleeperGoid                         uint64
	sendLine, lockLine, selectLine      int
	ready                               sync.WaitGroup

	// the long-lived goroutines and the growing leak
	pool, grown                             truth.IDs
	hupGoid, tickerGoid                     uint64
	poolLine, growLine, hupLine, tickerLine int
	firstGrown                              sync.WaitGroup
)

// leakGrow blocks for good: one more every 20 ms, for as long as the service runs.
func leakGrow(ch chan int, first bool) {
	grown.Add(truth.Goid())
	if first {
		firstGrown.Done()
	}
	ids.Lock()
	growLine = truth.Line() + 2
	ids.Unlock()
	ch <- 1
}

// poolWorker waits for jobs that never come: an idle pool.
func poolWorker(jobs chan int) {
	pool.Add(truth.Goid())
	ids.Lock()
	poolLine = truth.Line() + 3
	ids.Unlock()
	ready.Done()
	for range jobs {
	}
}

// hupLoop is a signal.Notify loop, as services have for SIGHUP.
func hupLoop(hup chan os.Signal) {
	hupGoid = truth.Goid()
	hupLine = truth.Line() + 2
	ready.Done()
	for range hup {
	}
}

// tickerLoop wakes every 50 ms and does a little work.
func tickerLoop() {
	var ticks int64
	tick := time.NewTicker(50 * time.Millisecond)
	tickerGoid = truth.Goid()
	tickerLine = truth.Line() + 2
	ready.Done()
	for range tick.C {
		atomic.AddInt64(&ticks, 1)
	}
}

func leakSend(ch chan int) {
	chanSenders.Add(truth.Goid())
	ids.Lock()
	sendLine = truth.Line() + 3
	ids.Unlock()
	ready.Done()
	ch <- 1
}

func leakLock(mu *sync.Mutex) {
	lockWaiters.Add(truth.Goid())
	ids.Lock()
	lockLine = truth.Line() + 3
	ids.Unlock()
	ready.Done()
	mu.Lock()
}

func leakSelect(a, b chan int) {
	selecters.Add(truth.Goid())
	ids.Lock()
	selectLine = truth.Line() + 3
	ids.Unlock()
	ready.Done()
	select {
	case <-a:
	case <-b:
	}
}

func sleeper() {
	sleeperGoid = truth.Goid()
	ready.Done()
	time.Sleep(time.Hour)
}

// child is `service child`: five goroutines and a sum.
func child() {
	const n = 5
	done := make(chan int)
	for i := 1; i <= n; i++ {
		go func(i int) { done <- i }(i)
	}
	sum := 0
	for i := 0; i < n; i++ {
		sum += <-done
	}
	if sum != n*(n+1)/2 {
		os.Exit(1)
	}
	os.Exit(0)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		child()
	}
	ch := make(chan int)
	var mu sync.Mutex
	mu.Lock()
	a, b := make(chan int), make(chan int)
	ready.Add(3 + 2 + 1 + 1 + 4 + 1 + 1)
	for i := 0; i < 3; i++ {
		go leakSend(ch)
	}
	for i := 0; i < 2; i++ {
		go leakLock(&mu)
	}
	go leakSelect(a, b)
	go sleeper()
	jobs := make(chan int)
	for i := 0; i < 4; i++ {
		go poolWorker(jobs)
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go hupLoop(hup)
	go tickerLoop()
	growCh := make(chan int)
	firstGrown.Add(3)
	go func() { // the growing leak: 3 before the service is ready, then one every 20 ms
		for i := 0; ; i++ {
			go leakGrow(growCh, i < 3)
			time.Sleep(20 * time.Millisecond)
		}
	}()
	if n, err := strconv.Atoi(os.Getenv("SERVICE_BUSY")); err == nil {
		idle := make(chan int)
		for i := 0; i < 2000; i++ {
			go func() { <-idle }()
		}
		for i := 0; i < n; i++ {
			go func() {
				for {
					for t := time.Now(); time.Since(t) < 20*time.Microsecond; {
					}
					time.Sleep(20 * time.Microsecond)
				}
			}()
		}
	}
	ready.Wait()
	firstGrown.Wait()
	time.Sleep(50 * time.Millisecond) // let them reach their blocking operations

	stop := make(chan struct{})
	var served int64
	go func() { // the "server": a request every 2 ms, handled by its own goroutine
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				done := make(chan int)
				go func() { done <- 1 }()
				atomic.AddInt64(&served, int64(<-done))
			}
		}
	}()

	truth.Print(map[string]interface{}{
		"sample":      "service",
		"main_goid":   truth.Goid(),
		"pid":         os.Getpid(),
		"chan_send":   chanSenders.List(),
		"lock_wait":   lockWaiters.List(),
		"select_wait": selecters.List(),
		"sleeper":     sleeperGoid,
		"send_line":   sendLine,
		"lock_line":   lockLine,
		"select_line": selectLine,
		"pool":        pool.List(),
		"pool_line":   poolLine,
		"hup_loop":    hupGoid,
		"hup_line":    hupLine,
		"ticker_loop": tickerGoid,
		"ticker_line": tickerLine,
		"grown":       grown.List(),
		"grow_line":   growLine,
	})

	var childrenOK, childrenFailed int64
	if os.Getenv("SERVICE_CHILDREN") == "1" {
		self, err := os.Executable()
		if err != nil {
			panic(err)
		}
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(200 * time.Millisecond):
				}
				if exec.Command(self, "child").Run() == nil {
					atomic.AddInt64(&childrenOK, 1)
				} else {
					atomic.AddInt64(&childrenFailed, 1)
				}
			}
		}()
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	eof := make(chan struct{})
	go func() {
		r := bufio.NewReader(os.Stdin)
		for {
			if _, err := r.ReadString('\n'); err != nil {
				close(eof)
				return
			}
		}
	}()
	select {
	case <-sigs:
	case <-eof:
	}
	close(stop)
	end, _ := json.Marshal(map[string]interface{}{"grown": grown.List()})
	fmt.Printf("gotl-truth-end %s\n", end)
	if os.Getenv("SERVICE_CHILDREN") == "1" {
		fmt.Printf("children: %d ok, %d failed\n", atomic.LoadInt64(&childrenOK),
			atomic.LoadInt64(&childrenFailed))
	}
	if atomic.LoadInt64(&served) > 0 {
		fmt.Println("served requests; exiting")
	} else {
		fmt.Println("served nothing; exiting")
	}
}
