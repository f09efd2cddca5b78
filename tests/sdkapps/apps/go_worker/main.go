// An ordinary workflow app on github.com/dapr/durabletask-go (public client/task API only),
// connected to its sidecar by DAPR_GRPC_PORT. Two modes:
//
//	go_worker scenarios PREFIX   chain, fan-out, event vs timer, child, retry, continue-as-new,
//	                             terminate, purge; one "CASE name PASS|FAIL detail" line each,
//	                             exit 0 when every case passed
//	go_worker crash PREFIX GATE  starts a workflow that waits for an event, prints "WAITING id",
//	                             waits for the file GATE (made once the sidecar was killed and
//	                             restarted), raises the event and prints "DONE id STATUS output"
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/dapr/durabletask-go/api"
	"github.com/dapr/durabletask-go/api/protos"
	"github.com/dapr/durabletask-go/backend"
	"github.com/dapr/durabletask-go/client"
	"github.com/dapr/durabletask-go/task"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func step1(ctx task.ActivityContext) (any, error) { return addInput(ctx, 1) }
func step3(ctx task.ActivityContext) (any, error) { return addInput(ctx, 3) }
func step2(ctx task.ActivityContext) (any, error) {
	var x int
	err := ctx.GetInput(&x)
	return x * 2, err
}

func addInput(ctx task.ActivityContext, n int) (any, error) {
	var x int
	err := ctx.GetInput(&x)
	return x + n, err
}

func square(ctx task.ActivityContext) (any, error) {
	var x int
	err := ctx.GetInput(&x)
	return x * x, err
}

var (
	attemptsMu sync.Mutex
	attempts   = map[string]int{}
)

// flaky fails the first two calls for a key, then returns how many calls it took.
func flaky(ctx task.ActivityContext) (any, error) {
	var key string
	if err := ctx.GetInput(&key); err != nil {
		return nil, err
	}
	attemptsMu.Lock()
	attempts[key]++
	n := attempts[key]
	attemptsMu.Unlock()
	if n < 3 {
		return nil, fmt.Errorf("flaky attempt %d", n)
	}
	return n, nil
}

func chain(ctx *task.OrchestrationContext) (any, error) {
	var x int
	if err := ctx.GetInput(&x); err != nil {
		return nil, err
	}
	for _, step := range []string{"step1", "step2", "step3"} {
		if err := ctx.CallActivity(step, task.WithActivityInput(x)).Await(&x); err != nil {
			return nil, err
		}
	}
	return x, nil
}

func fanOut(ctx *task.OrchestrationContext) (any, error) {
	tasks := make([]task.Task, 0, 10)
	for i := 1; i <= 10; i++ {
		tasks = append(tasks, ctx.CallActivity("square", task.WithActivityInput(i)))
	}
	sum := 0
	for _, t := range tasks {
		var v int
		if err := t.Await(&v); err != nil {
			return nil, err
		}
		sum += v
	}
	return sum, nil
}

// eventOrTimer waits up to the input's seconds for "approval"; "timeout" when the timer wins.
func eventOrTimer(ctx *task.OrchestrationContext) (any, error) {
	var seconds int
	if err := ctx.GetInput(&seconds); err != nil {
		return nil, err
	}
	var by string
	err := ctx.WaitForSingleEvent("approval", time.Duration(seconds)*time.Second).Await(&by)
	if errors.Is(err, task.ErrTaskCanceled) {
		return "timeout", nil
	}
	if err != nil {
		return nil, err
	}
	return "approved by " + by, nil
}

func parent(ctx *task.OrchestrationContext) (any, error) {
	var out int
	err := ctx.CallSubOrchestrator("chain", task.WithSubOrchestratorInput(5),
		task.WithSubOrchestrationInstanceID(string(ctx.ID)+"-child")).Await(&out)
	return map[string]int{"child": out}, err
}

func retrying(ctx *task.OrchestrationContext) (any, error) {
	var n int
	policy := &task.RetryPolicy{MaxAttempts: 3, InitialRetryInterval: 100 * time.Millisecond, BackoffCoefficient: 1}
	err := ctx.CallActivity("flaky", task.WithActivityInput(string(ctx.ID)), task.WithActivityRetryPolicy(policy)).Await(&n)
	return n, err
}

func noRetry(ctx *task.OrchestrationContext) (any, error) {
	return nil, ctx.CallActivity("flaky", task.WithActivityInput(string(ctx.ID))).Await(nil)
}

func counter(ctx *task.OrchestrationContext) (any, error) {
	var n int
	if err := ctx.GetInput(&n); err != nil {
		return nil, err
	}
	if n < 3 {
		ctx.ContinueAsNew(n + 1)
		return nil, nil
	}
	return n, nil
}

func forever(ctx *task.OrchestrationContext) (any, error) {
	return nil, ctx.WaitForSingleEvent("never", -1).Await(nil)
}

func registry() *task.TaskRegistry {
	r := task.NewTaskRegistry()
	orchestrators := map[string]task.Orchestrator{
		"chain": chain, "fanOut": fanOut, "eventOrTimer": eventOrTimer, "parent": parent,
		"retrying": retrying, "noRetry": noRetry, "counter": counter, "forever": forever,
	}
	for name, o := range orchestrators {
		must(r.AddOrchestratorN(name, o))
	}
	activities := map[string]task.Activity{"step1": step1, "step2": step2, "step3": step3, "square": square, "flaky": flaky}
	for name, a := range activities {
		must(r.AddActivityN(name, a))
	}
	return r
}

func must(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "go_worker: %v\n", err)
		os.Exit(3)
	}
}

type runner struct {
	c      *client.TaskHubGrpcClient
	prefix string
	ok     bool
}

func (r *runner) wait(id api.InstanceID) *backend.OrchestrationMetadata {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	md, err := r.c.WaitForOrchestrationCompletion(ctx, id, api.WithFetchPayloads(true))
	must(err)
	return md
}

func (r *runner) start(name, suffix string, input any) api.InstanceID {
	id, err := r.c.ScheduleNewOrchestration(context.Background(), name,
		api.WithInstanceID(api.InstanceID(r.prefix+"-"+suffix)), api.WithInput(input))
	must(err)
	return id
}

func status(md *backend.OrchestrationMetadata) string {
	return protos.OrchestrationStatus_name[int32(md.RuntimeStatus)][len("ORCHESTRATION_STATUS_"):]
}

// check reports one case: the status and raw output against what is wanted.
func (r *runner) check(name string, md *backend.OrchestrationMetadata, wantStatus, wantOutput string) {
	got := md.GetOutput().GetValue()
	pass := status(md) == wantStatus && (wantOutput == "*" || got == wantOutput)
	r.ok = r.ok && pass
	verdict := map[bool]string{true: "PASS", false: "FAIL"}[pass]
	detail := got
	if fd := md.GetFailureDetails(); fd != nil {
		detail += " failure=" + fd.GetErrorMessage()
	}
	fmt.Printf("CASE %s %s %s %s\n", name, verdict, status(md), detail)
}

func (r *runner) scenarios() {
	ctx := context.Background()
	r.check("chain", r.wait(r.start("chain", "chain", 1)), "COMPLETED", "7")
	r.check("fan-out", r.wait(r.start("fanOut", "fan", nil)), "COMPLETED", "385")
	ev := r.start("eventOrTimer", "event", 60)
	_, err := r.c.WaitForOrchestrationStart(ctx, ev)
	must(err)
	must(r.c.RaiseEvent(ctx, ev, "approval", api.WithEventPayload("bo")))
	r.check("event", r.wait(ev), "COMPLETED", `"approved by bo"`)
	r.check("timer", r.wait(r.start("eventOrTimer", "timer", 1)), "COMPLETED", `"timeout"`)
	r.check("child", r.wait(r.start("parent", "parent", nil)), "COMPLETED", `{"child":15}`)
	r.check("retry", r.wait(r.start("retrying", "retry", nil)), "COMPLETED", "3")
	r.check("no-retry", r.wait(r.start("noRetry", "noretry", nil)), "FAILED", "*")
	r.check("continue-as-new", r.wait(r.start("counter", "can", 0)), "COMPLETED", "3")
	fid := r.start("forever", "term", nil)
	_, err = r.c.WaitForOrchestrationStart(ctx, fid)
	must(err)
	must(r.c.TerminateOrchestration(ctx, fid, api.WithOutput("stopped")))
	r.check("terminate", r.wait(fid), "TERMINATED", `"stopped"`)
	must(r.c.PurgeOrchestrationState(ctx, fid))
	_, err = r.c.FetchOrchestrationMetadata(ctx, fid)
	pass := errors.Is(err, api.ErrInstanceNotFound)
	r.ok = r.ok && pass
	fmt.Printf("CASE purge %s %v\n", map[bool]string{true: "PASS", false: "FAIL"}[pass], err)
}

func (r *runner) crash(gate string) {
	ctx := context.Background()
	id := r.start("eventOrTimer", "crash", 600)
	_, err := r.c.WaitForOrchestrationStart(ctx, id)
	must(err)
	fmt.Printf("WAITING %s\n", id)
	for {
		if _, err := os.Stat(gate); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	deadline := time.Now().Add(120 * time.Second)
	for {
		err = r.c.RaiseEvent(ctx, id, "approval", api.WithEventPayload("after restart"))
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	must(err)
	md := r.wait(id)
	out, _ := json.Marshal(md.GetOutput().GetValue())
	fmt.Printf("DONE %s %s %s\n", id, status(md), out)
	r.ok = status(md) == "COMPLETED" && md.GetOutput().GetValue() == `"approved by after restart"`
}

func main() {
	if len(os.Args) < 3 || (os.Args[1] != "scenarios" && os.Args[1] != "crash") ||
		(os.Args[1] == "crash") != (len(os.Args) == 4) {
		fmt.Fprintln(os.Stderr, "usage: go_worker scenarios PREFIX | go_worker crash PREFIX GATE")
		os.Exit(2)
	}
	port := os.Getenv("DAPR_GRPC_PORT")
	if port == "" {
		port = "50001"
	}
	conn, err := grpc.NewClient("127.0.0.1:"+port, grpc.WithTransportCredentials(insecure.NewCredentials()))
	must(err)
	defer conn.Close()
	c := client.NewTaskHubGrpcClient(conn, backend.DefaultLogger())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	must(c.StartWorkItemListener(ctx, registry()))
	r := &runner{c: c, prefix: os.Args[2], ok: true}
	if os.Args[1] == "scenarios" {
		r.scenarios()
	} else {
		r.crash(os.Args[3])
	}
	if !r.ok {
		os.Exit(1)
	}
}
