// A front end's view of `sim serve`: Step Functions through the AWS SDK for JavaScript v3, and a
// GraphQL mutation through fetch with a Cognito user-pool token. Prints one JSON line of results.
import {
  SFNClient, ListStateMachinesCommand, StartExecutionCommand, DescribeExecutionCommand,
  GetExecutionHistoryCommand,
} from "@aws-sdk/client-sfn";

const endpoint = process.env.SIM_URL;
const sfn = new SFNClient({
  endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1,
});

const machines = (await sfn.send(new ListStateMachinesCommand({}))).stateMachines;
const booking = machines.find((m) => m.name === "ecosystem-booking-lifecycle");
const started = await sfn.send(new StartExecutionCommand({
  stateMachineArn: booking.stateMachineArn, name: "node-client", input: process.env.SIM_INPUT,
}));
const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));

let missing = null;
try {
  await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn + "-missing" }));
} catch (err) {
  missing = err.name;
}

const response = await fetch(`${endpoint}/graphql`, {
  method: "POST",
  headers: { "Content-Type": "application/json", Authorization: process.env.SIM_TOKEN },
  body: JSON.stringify({
    query: `mutation Book($s: ID, $st: AWSDateTime, $en: AWSDateTime) {
      processBooking(action: "create", serviceId: $s, startDateTime: $st, endDateTime: $en,
                     amount: 12000, currency: "usd", paymentMethodId: "pm_card_visa") }`,
    variables: JSON.parse(process.env.SIM_VARIABLES),
  }),
});
const graphql = await response.json();

console.log(JSON.stringify({
  machines: machines.map((m) => m.name).sort(),
  executionArn: started.executionArn,
  status: described.status,
  startDateIsDate: described.startDate instanceof Date,
  lastEvent: history.events[history.events.length - 1].type,
  missing,
  graphqlStatus: response.status,
  booking: graphql.data && graphql.data.processBooking ? JSON.parse(graphql.data.processBooking) : null,
  errors: graphql.errors || null,
}));
