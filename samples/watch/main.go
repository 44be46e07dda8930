// watch is a long-running Go process whose goroutines' fate it decides,
// for gotl watch and gotl top (tests/e2e/run_watch.py):
//
//   - a real leak that grows: -leak-rate goroutines a second (main.leaker)
//     block forever in a chan send nobody receives;
//   - a worker pool of -pool goroutines (main.worker) idle in chan receive:
//     not a leak, it does not grow (with -busy it gets a job every 10 ms);
//   - long-lived singletons: a signal.Notify loop (main.signals) and a
//     ticker loop (main.ticking, every 50 ms), each alone at its site;
//   - a burst (main.bursty): -burst goroutines created over 1 s from
//     -burst-at after ready, blocked in a chan send for -burst-hold after the
//     last one, then all drained: it grows, then it is gone.
//
// It prints its truth line first, once the pool, the loops and the first
// leaker are parked, so that a test can start watching: pid, the pool's,
// the loops' and main's goids, and the lines of each go statement and
// blocking operation. On SIGTERM, SIGINT or the end of stdin (or after
// -exit-after) it prints "gotl-final {json}" with every leaked and burst
// goid and whether the burst was drained, and exits 0.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"gotl/samples/internal/truth"
)

var (
	mu                                   sync.Mutex
	leaked, burst, pool                  truth.IDs
	leakGo, leakBlock, poolGo, poolBlock int
	burstGo, burstBlock                  int
	signalsGoid, tickerGoid              uint64
	signalsBlock, tickerBlock            int
	ticks                                int64
	ready                                sync.WaitGroup
)

func leaker(ch chan int) {
	leaked.Add(truth.Goid())
	mu.Lock()
	leakBlock = truth.Line() + 2
	mu.Unlock()
	ch <- 1
}

// leakSpawner starts rate leakers a second, forever.
func leakSpawner(rate int) {
	ch := make(chan int) // nobody ever receives
	t := time.NewTicker(time.Second / time.Duration(rate))
	first := true
	for range t.C {
		mu.Lock()
		leakGo = truth.Line() + 2
		mu.Unlock()
		go leaker(ch)
		if first {
			first = false
			ready.Done()
		}
	}
}

func worker(jobs chan int, done chan int) {
	pool.Add(truth.Goid())
	ready.Done()
	for {
		mu.Lock()
		poolBlock = truth.Line() + 2
		mu.Unlock()
		j, ok := <-jobs
		if !ok {
			return
		}
		done <- j
	}
}

func signals(c chan os.Signal) {
	signalsGoid = truth.Goid()
	signalsBlock = truth.Line() + 2
	ready.Done()
	for range c {
	}
}

func ticking() {
	tickerGoid = truth.Goid()
	t := time.NewTicker(50 * time.Millisecond)
	tickerBlock = truth.Line() + 2
	ready.Done()
	for range t.C {
		atomic.AddInt64(&ticks, 1)
	}
}

func bursty(ch chan int) {
	burst.Add(truth.Goid())
	mu.Lock()
	burstBlock = truth.Line() + 2
	mu.Unlock()
	ch <- 1
}

// burster makes the burst, holds it, then drains it; drained is closed at the end.
func burster(n int, at, hold time.Duration, drained chan struct{}) {
	time.Sleep(at)
	ch := make(chan int)
	for i := 0; i < n; i++ {
		mu.Lock()
		burstGo = truth.Line() + 2
		mu.Unlock()
		go bursty(ch)
		time.Sleep(time.Second / time.Duration(n))
	}
	time.Sleep(hold)
	for i := 0; i < n; i++ {
		<-ch
	}
	close(drained)
}

func main() {
	rate := flag.Int("leak-rate", 5, "leaked goroutines a second (0: none)")
	npool := flag.Int("pool", 8, "workers in the idle pool")
	busy := flag.Bool("busy", false, "give the pool a job every 10 ms")
	nburst := flag.Int("burst", 30, "goroutines in the burst (0: none)")
	burstAt := flag.Duration("burst-at", 500*time.Millisecond, "when the burst starts, after ready")
	burstHold := flag.Duration("burst-hold", 3*time.Second, "how long the burst is held")
	exitAfter := flag.Duration("exit-after", 0, "exit by itself after this long (0: never)")
	flag.Parse()

	jobs, done := make(chan int), make(chan int)
	ready.Add(*npool + 2)
	for i := 0; i < *npool; i++ {
		mu.Lock()
		poolGo = truth.Line() + 2
		mu.Unlock()
		go worker(jobs, done)
	}
	usr2 := make(chan os.Signal, 1)
	signal.Notify(usr2, syscall.SIGUSR2)
	go signals(usr2)
	go ticking()
	ready.Wait()
	if *rate > 0 {
		ready.Add(1)
		go leakSpawner(*rate)
		ready.Wait()
	}
	time.Sleep(20 * time.Millisecond) // let them reach their blocking operations
	mu.Lock()
	truth.Print(map[string]interface{}{
		"sample":        "watch",
		"main_goid":     truth.Goid(),
		"pid":           os.Getpid(),
		"pool":          pool.List(),
		"pool_go":       poolGo,
		"pool_block":    poolBlock,
		"signals_goid":  signalsGoid,
		"signals_block": signalsBlock,
		"ticker_goid":   tickerGoid,
		"ticker_block":  tickerBlock,
		"leak_go":       leakGo,
		"leak_block":    leakBlock,
	})
	mu.Unlock()

	drained := make(chan struct{})
	if *nburst > 0 {
		go burster(*nburst, *burstAt, *burstHold, drained)
	}
	if *busy {
		go func() {
			for i := 0; ; i++ {
				time.Sleep(10 * time.Millisecond)
				jobs <- i
				<-done
			}
		}()
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
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
	var after <-chan time.Time
	if *exitAfter > 0 {
		after = time.After(*exitAfter)
	}
	select {
	case <-stop:
	case <-eof:
	case <-after:
	}
	wasDrained := false
	select {
	case <-drained:
		wasDrained = true
	default:
	}
	mu.Lock()
	b, _ := json.Marshal(map[string]interface{}{
		"leaked":      leaked.List(),
		"burst":       burst.List(),
		"drained":     wasDrained,
		"burst_go":    burstGo,
		"burst_block": burstBlock,
		"leak_go":     leakGo,
		"ticks":       atomic.LoadInt64(&ticks),
	})
	mu.Unlock()
	os.Stdout.Write(append(append([]byte("gotl-final "), b...), '\n'))
}
