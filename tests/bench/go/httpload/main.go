// httpload: a net/http server on loopback under a fixed load. It serves a
// small JSON document on 127.0.0.1 (a free port) and, in the same process,
// -c client goroutines send -n GET requests in all over keep-alive
// connections, each reading the whole response. Prints the time per request
// and requests per second. Nothing leaves the machine.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"gotl/bench/internal/gotrace"
)

type reply struct {
	Path  string   `json:"path"`
	N     int64    `json:"n"`
	Items []string `json:"items"`
}

func main() {
	n := flag.Int("n", 20000, "requests in all")
	c := flag.Int("c", 8, "client goroutines (and keep-alive connections)")
	flag.Parse()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "httpload:", err)
		os.Exit(1)
	}
	var served atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/item/", func(w http.ResponseWriter, r *http.Request) {
		k := served.Add(1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(reply{r.URL.Path, k, []string{"alpha", "beta", "gamma"}})
	})
	go http.Serve(ln, mux)
	tr := &http.Transport{MaxIdleConnsPerHost: *c, MaxConnsPerHost: *c}
	client := &http.Client{Transport: tr}
	url := "http://" + ln.Addr().String() + "/item/"
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	gotrace.Start()
	t0 := time.Now()
	for k := 0; k < *c; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(*n) {
				resp, err := client.Get(fmt.Sprintf("%s%d", url, next.Load()))
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(t0)
	gotrace.Stop()
	if failed.Load() > 0 {
		fmt.Fprintf(os.Stderr, "httpload: %d requests failed\n", failed.Load())
		os.Exit(1)
	}
	fmt.Printf("ns_per_op %.1f\nops %d\nops_per_s %.0f\n", float64(el.Nanoseconds())/float64(*n),
		*n, float64(*n)/el.Seconds())
}
