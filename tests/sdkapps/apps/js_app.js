// An ordinary workflow app on @dapr/durabletask-js 1.0.0 (public API only), connected to its
// sidecar by DAPR_GRPC_ENDPOINT or DAPR_GRPC_PORT. Runs a three-step chain and a workflow with
// a timer, an external event and a child workflow; prints DONE lines; exit 0 when both completed
// with the expected output.
const { TaskHubGrpcClient, TaskHubGrpcWorker } = require("@dapr/durabletask-js");
const { OrchestrationStatus } = require("@dapr/durabletask-js/orchestration/enum/orchestration-status.enum");

const address = process.env.DAPR_GRPC_ENDPOINT || `127.0.0.1:${process.env.DAPR_GRPC_PORT || "50001"}`;
const prefix = process.argv[2] || "js";

const step1 = async (_ctx, x) => x + 1;
const step2 = async (_ctx, x) => x * 2;
const step3 = async (_ctx, x) => x + 3;
const shout = async (_ctx, text) => text.toUpperCase();

const chain3js = async function* (ctx, x) {
  x = yield ctx.callActivity(step1, x);
  x = yield ctx.callActivity(step2, x);
  x = yield ctx.callActivity(step3, x);
  return x;
};

const childjs = async function* (ctx, text) {
  const loud = yield ctx.callActivity(shout, text);
  return `${loud}!`;
};

const featuresjs = async function* (ctx, name) {
  yield ctx.createTimer(0.3);
  const approval = yield ctx.waitForExternalEvent("approval");
  const child = yield ctx.callSubOrchestrator(childjs, `${name} by ${approval.by}`, `${ctx.instanceId}-child`);
  return { child };
};

async function main() {
  const worker = new TaskHubGrpcWorker(address);
  for (const fn of [chain3js, childjs, featuresjs]) worker.addOrchestrator(fn);
  for (const fn of [step1, step2, step3, shout]) worker.addActivity(fn);
  const client = new TaskHubGrpcClient(address);
  await worker.start();
  let ok = true;
  try {
    // inputs from 1: the SDK drops a falsy input (0 would arrive as undefined)
    const ids = [];
    for (let i = 1; i <= 3; i++) ids.push(await client.scheduleNewOrchestration(chain3js, i, `${prefix}-c${i}`));
    for (let i = 0; i < ids.length; i++) {
      const st = await client.waitForOrchestrationCompletion(ids[i], true, 120);
      console.log(`DONE ${ids[i]} ${OrchestrationStatus[st.runtimeStatus]} ${st.serializedOutput}`);
      ok = ok && st.runtimeStatus === OrchestrationStatus.COMPLETED && JSON.parse(st.serializedOutput) === (i + 2) * 2 + 3;
    }
    const fid = await client.scheduleNewOrchestration(featuresjs, "order-9", `${prefix}-f`);
    await client.waitForOrchestrationStart(fid, false, 120);
    await client.raiseOrchestrationEvent(fid, "approval", { by: "bo" });
    const st = await client.waitForOrchestrationCompletion(fid, true, 120);
    console.log(`DONE ${fid} ${OrchestrationStatus[st.runtimeStatus]} ${st.serializedOutput}`);
    ok = ok && st.runtimeStatus === OrchestrationStatus.COMPLETED && JSON.parse(st.serializedOutput).child === "ORDER-9 BY BO!";
  } finally {
    await worker.stop();
    await client.stop();
  }
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(`js_app: ${err && err.stack ? err.stack : err}`);
  process.exit(3);
});
