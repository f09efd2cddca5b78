// An ordinary workflow app on io.dapr:dapr-sdk-workflows (public API only), connected to its
// sidecar by DAPR_GRPC_PORT. The same two modes as apps/go_worker:
//   scenarios PREFIX   chain, fan-out, event vs timer, child, retry, continue-as-new, terminate,
//                      purge; one "CASE name PASS|FAIL STATUS OUTPUT" line each, exit 0 when all
//                      passed
//   crash PREFIX GATE  starts a workflow that waits for an event, prints "WAITING id", waits for
//                      the file GATE, raises the event (retrying while the sidecar is down) and
//                      prints "DONE id STATUS output"
package wfctl;

import io.dapr.durabletask.Task;
import io.dapr.durabletask.TaskCanceledException;
import io.dapr.workflows.Workflow;
import io.dapr.workflows.WorkflowActivity;
import io.dapr.workflows.WorkflowActivityContext;
import io.dapr.workflows.WorkflowStub;
import io.dapr.workflows.WorkflowTaskOptions;
import io.dapr.workflows.WorkflowTaskRetryPolicy;
import io.dapr.workflows.client.DaprWorkflowClient;
import io.dapr.workflows.client.NewWorkflowOptions;
import io.dapr.workflows.client.WorkflowState;
import io.dapr.workflows.runtime.WorkflowRuntime;
import io.dapr.workflows.runtime.WorkflowRuntimeBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

public final class Main {
  static final Map<String, Integer> ATTEMPTS = new ConcurrentHashMap<>();

  public static final class Step1 implements WorkflowActivity {
    public Object run(WorkflowActivityContext ctx) { return ctx.getInput(Integer.class) + 1; }
  }

  public static final class Step2 implements WorkflowActivity {
    public Object run(WorkflowActivityContext ctx) { return ctx.getInput(Integer.class) * 2; }
  }

  public static final class Step3 implements WorkflowActivity {
    public Object run(WorkflowActivityContext ctx) { return ctx.getInput(Integer.class) + 3; }
  }

  public static final class Square implements WorkflowActivity {
    public Object run(WorkflowActivityContext ctx) {
      int x = ctx.getInput(Integer.class);
      return x * x;
    }
  }

  /** Fails the first two calls for a key, then returns how many calls it took. */
  public static final class Flaky implements WorkflowActivity {
    public Object run(WorkflowActivityContext ctx) {
      int n = ATTEMPTS.merge(ctx.getInput(String.class), 1, Integer::sum);
      if (n < 3) {
        throw new IllegalStateException("flaky attempt " + n);
      }
      return n;
    }
  }

  public static final class Chain implements Workflow {
    public WorkflowStub create() {
      return ctx -> {
        int x = ctx.getInput(Integer.class);
        for (String step : List.of("step1", "step2", "step3")) {
          x = ctx.callActivity(step, x, Integer.class).await();
        }
        ctx.complete(x);
      };
    }
  }

  public static final class FanOut implements Workflow {
    public WorkflowStub create() {
      return ctx -> {
        List<Task<Integer>> tasks = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
          tasks.add(ctx.callActivity("square", i, Integer.class));
        }
        ctx.complete(ctx.allOf(tasks).await().stream().mapToInt(Integer::intValue).sum());
      };
    }
  }

  /** Waits up to the input's seconds for "approval"; "timeout" when the timer wins. */
  public static final class EventOrTimer implements Workflow {
    public WorkflowStub create() {
      return ctx -> {
        int seconds = ctx.getInput(Integer.class);
        try {
          String by = ctx.waitForExternalEvent("approval", Duration.ofSeconds(seconds), String.class).await();
          ctx.complete("approved by " + by);
        } catch (TaskCanceledException e) {
          ctx.complete("timeout");
        }
      };
    }
  }

  public static final class Parent implements Workflow {
    public WorkflowStub create() {
      return ctx -> {
        int out = ctx.callChildWorkflow("chain", 5, ctx.getInstanceId() + "-child", Integer.class).await();
        ctx.complete(Map.of("child", out));
      };
    }
  }

  public static final class Retrying implements Workflow {
    public WorkflowStub create() {
      return ctx -> {
        WorkflowTaskRetryPolicy policy = WorkflowTaskRetryPolicy.newBuilder()
            .setMaxNumberOfAttempts(3).setFirstRetryInterval(Duration.ofMillis(100))
            .setBackoffCoefficient(1).build();
        WorkflowTaskOptions options = new WorkflowTaskOptions(policy);
        ctx.complete(ctx.callActivity("flaky", ctx.getInstanceId(), options, Integer.class).await());
      };
    }
  }

  public static final class NoRetry implements Workflow {
    public WorkflowStub create() {
      return ctx -> ctx.complete(ctx.callActivity("flaky", ctx.getInstanceId(), Integer.class).await());
    }
  }

  public static final class Counter implements Workflow {
    public WorkflowStub create() {
      return ctx -> {
        int n = ctx.getInput(Integer.class);
        if (n < 3) {
          ctx.continueAsNew(n + 1);
        } else {
          ctx.complete(n);
        }
      };
    }
  }

  public static final class Forever implements Workflow {
    public WorkflowStub create() {
      return ctx -> ctx.waitForExternalEvent("never").await();
    }
  }

  static WorkflowRuntime runtime() {
    WorkflowRuntimeBuilder b = new WorkflowRuntimeBuilder();
    b.registerWorkflow("chain", Chain.class).registerWorkflow("fanOut", FanOut.class);
    b.registerWorkflow("eventOrTimer", EventOrTimer.class).registerWorkflow("parent", Parent.class);
    b.registerWorkflow("retrying", Retrying.class).registerWorkflow("noRetry", NoRetry.class);
    b.registerWorkflow("counter", Counter.class).registerWorkflow("forever", Forever.class);
    b.registerActivity("step1", Step1.class).registerActivity("step2", Step2.class);
    b.registerActivity("step3", Step3.class).registerActivity("square", Square.class);
    b.registerActivity("flaky", Flaky.class);
    return b.build();
  }

  final DaprWorkflowClient client;
  final String prefix;
  boolean ok = true;

  Main(DaprWorkflowClient client, String prefix) {
    this.client = client;
    this.prefix = prefix;
  }

  String start(String name, String suffix, Object input) {
    NewWorkflowOptions o = new NewWorkflowOptions().setInstanceId(prefix + "-" + suffix);
    return client.scheduleNewWorkflow(name, input == null ? o : o.setInput(input));
  }

  WorkflowState await(String id) throws Exception {
    return client.waitForWorkflowCompletion(id, Duration.ofSeconds(120), true);
  }

  void check(String name, WorkflowState st, String wantStatus, String wantOutput) {
    String got = st.getSerializedOutput();
    boolean pass = st.getRuntimeStatus().name().equals(wantStatus)
        && (wantOutput.equals("*") || wantOutput.equals(got));
    ok &= pass;
    String detail = got;
    if (st.getFailureDetails() != null && st.getFailureDetails().getErrorMessage() != null
        && !st.getFailureDetails().getErrorMessage().isEmpty()) {
      detail += " failure=" + st.getFailureDetails().getErrorMessage();
    }
    System.out.printf("CASE %s %s %s %s%n", name, pass ? "PASS" : "FAIL", st.getRuntimeStatus(), detail);
  }

  void scenarios() throws Exception {
    check("chain", await(start("chain", "chain", 1)), "COMPLETED", "7");
    check("fan-out", await(start("fanOut", "fan", null)), "COMPLETED", "385");
    String ev = start("eventOrTimer", "event", 60);
    client.waitForWorkflowStart(ev, Duration.ofSeconds(120), false);
    client.raiseEvent(ev, "approval", "bo");
    check("event", await(ev), "COMPLETED", "\"approved by bo\"");
    check("timer", await(start("eventOrTimer", "timer", 1)), "COMPLETED", "\"timeout\"");
    check("child", await(start("parent", "parent", null)), "COMPLETED", "{\"child\":15}");
    check("retry", await(start("retrying", "retry", null)), "COMPLETED", "3");
    check("no-retry", await(start("noRetry", "noretry", null)), "FAILED", "*");
    check("continue-as-new", await(start("counter", "can", 0)), "COMPLETED", "3");
    String fid = start("forever", "term", null);
    client.waitForWorkflowStart(fid, Duration.ofSeconds(120), false);
    client.terminateWorkflow(fid, "stopped");
    check("terminate", await(fid), "TERMINATED", "\"stopped\"");
    boolean purged = client.purgeWorkflow(fid);
    WorkflowState gone = client.getWorkflowState(fid, false);
    // 1.17.1's client answers a missing instance with an empty state (no ID), not null: so on
    // daprd 1.17.5 too
    boolean pass = purged && (gone == null || gone.getWorkflowId().isEmpty());
    ok &= pass;
    System.out.printf("CASE purge %s purged=%s state=%s%n", pass ? "PASS" : "FAIL", purged, gone);
  }

  void crash(Path gate) throws Exception {
    String id = start("eventOrTimer", "crash", 600);
    client.waitForWorkflowStart(id, Duration.ofSeconds(120), false);
    System.out.printf("WAITING %s%n", id);
    while (!Files.exists(gate)) {
      Thread.sleep(50);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      try {
        client.raiseEvent(id, "approval", "after restart");
        break;
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
    WorkflowState st = await(id);
    System.out.printf("DONE %s %s %s%n", id, st.getRuntimeStatus(), st.getSerializedOutput());
    ok = st.getRuntimeStatus().name().equals("COMPLETED")
        && "\"approved by after restart\"".equals(st.getSerializedOutput());
  }

  public static void main(String[] args) throws Exception {
    boolean scenarios = args.length == 2 && args[0].equals("scenarios");
    boolean crash = args.length == 3 && args[0].equals("crash");
    if (!scenarios && !crash) {
      System.err.println("usage: java_worker scenarios PREFIX | java_worker crash PREFIX GATE");
      System.exit(2);
    }
    WorkflowRuntime rt = runtime();
    rt.start(false);
    Main m = new Main(new DaprWorkflowClient(), args[1]);
    if (scenarios) {
      m.scenarios();
    } else {
      m.crash(Path.of(args[2]));
    }
    System.out.flush();
    // no close(): WorkflowRuntime.close() waits about a minute for its worker (on daprd too)
    System.exit(m.ok ? 0 : 1);
  }
}
