import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SHARED_LANE } from '../../shared/config/settings';
import { CHANNELS, type Channel } from '../../shared/domain/constants';
import { METRICS_NAMESPACE } from '../../shared/lambda/observability';
import type { ReminderFunction } from './reminder-function';
import { alarmNamePrefix, SERVICE } from './settings';

const FIVE_MINUTES = Duration.minutes(5);

export interface MonitoringProps {
  readonly deploymentName: string;
  readonly alarmTopic: ITopic;
  readonly planMessages: ReminderFunction;
  readonly dispatchDue: ReminderFunction;
  readonly sendMessage: ReminderFunction;
  /** Failed planning waiting to be read back from the stream (within its 24 hours). */
  readonly planRetryQueue: IQueue;
  /** Every dead-letter queue, by the name the alarm and dashboard show. */
  readonly deadLetterQueues: Record<string, IQueue>;
  readonly sendLagSeconds: number;
  readonly failedMessages: number;
  /** The SMS budget for a calendar month (USD): alarms at 80 % and 100 %. */
  readonly smsMonthlyBudgetUsd: number;
  /**
   * The numbers texts leave from, by lane: `~shared` for the deployment's
   * number, a clinic id for that clinic's own (issue 19), with its rate.
   */
  readonly smsLanes: readonly { lane: string; partsPerSecond: number }[];
}

/** Five-minute periods in a row with a provider throttle on one number before its alarm fires. */
export const THROTTLED_NUMBER_PERIODS = 3;

/** The alarm's construct id for one number's throttles. */
export function throttledNumberAlarmId(lane: string): string {
  if (lane === SHARED_LANE) return 'ThrottledSharedNumberAlarm';
  const pascal = lane
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
  return `ThrottledNumber${pascal}Alarm`;
}

/** Fractions of the monthly SMS budget that raise an alarm. */
export const SMS_BUDGET_ALARMS = [
  { id: 'SmsSpend80PercentAlarm', fraction: 0.8 },
  { id: 'SmsSpend100PercentAlarm', fraction: 1 },
] as const;

/** A counter the code emits with the service and channel dimensions (Powertools EMF). */
function channelCounter(metricName: string, channel: Channel, period = FIVE_MINUTES): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE.sendMessage, channel },
    statistic: 'Sum',
    period,
  });
}

/** Both channels of one counter added up (missing points count as 0). */
function acrossChannels(metricName: string, label: string, period = FIVE_MINUTES): MathExpression {
  return new MathExpression({
    expression: 'FILL(sms, 0) + FILL(email, 0)',
    usingMetrics: {
      sms: channelCounter(metricName, 'sms', period),
      email: channelCounter(metricName, 'email', period),
    },
    label,
    period,
  });
}

/**
 * `MessageSent` also carries the message kind; a search sums every kind of
 * one channel. Searches draw graphs only (CloudWatch refuses them in alarms).
 */
function sentOnChannel(channel: Channel): MathExpression {
  return new MathExpression({
    expression: `SUM(SEARCH('{${METRICS_NAMESPACE},channel,kind,service} MetricName="MessageSent" service="${SERVICE.sendMessage}" channel="${channel}"', 'Sum', 300))`,
    usingMetrics: {},
    label: `sent ${channel}`,
    period: FIVE_MINUTES,
  });
}

/**
 * Alarms and the dashboard. Every alarm notifies the alarm topic when it
 * fires and when it clears:
 * - each dead-letter queue holds a message;
 * - messages failed for good (both channels, per 15 minutes) reach the configured count;
 * - any send ends with an unknown outcome (a person must check the provider);
 * - the sweep fails, or stops running;
 * - send lag (due → sent, p99) stays above the configured seconds, per channel;
 * - planning falls behind the appointments stream.
 */
export class Monitoring extends Construct {
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;
  private readonly action: SnsAction;
  private readonly deploymentName: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.action = new SnsAction(props.alarmTopic);
    this.deploymentName = props.deploymentName;

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.addAlarm(`${name}DepthAlarm`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({
          statistic: 'Maximum',
          period: Duration.minutes(1),
        }),
        threshold: 1,
        evaluationPeriods: 1,
        description: `${name} holds messages: inspect them, fix the cause, then redrive.`,
      });
    }

    this.addAlarm('PlanRetryBacklogAlarm', {
      metric: props.planRetryQueue.metricApproximateAgeOfOldestMessage({
        statistic: 'Maximum',
        period: FIVE_MINUTES,
      }),
      threshold: 60 * 60,
      evaluationPeriods: 1,
      description:
        'A failed planning batch has waited an hour to be read back from the appointments stream, which keeps ' +
        'records for 24 hours: replan-failed-changes is not running or keeps failing (its logs and errors).',
    });

    this.addAlarm('FailedMessagesAlarm', {
      metric: acrossChannels('MessageFailed', 'failed', Duration.minutes(15)),
      threshold: props.failedMessages,
      evaluationPeriods: 1,
      description: `At least ${props.failedMessages} messages failed for good within 15 minutes.`,
    });
    this.addAlarm('UnknownOutcomeAlarm', {
      metric: acrossChannels('UnknownOutcome', 'unknown', FIVE_MINUTES),
      threshold: 1,
      evaluationPeriods: 1,
      description:
        'A send timed out or crashed after calling the provider; it may or may not have been delivered.',
    });

    const sweepErrors = props.dispatchDue.fn.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' });
    this.addAlarm('SweepErrorsAlarm', {
      metric: sweepErrors,
      threshold: 1,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      description:
        'dispatch-due failed in 3 of the last 5 minutes; due messages wait until a sweep succeeds.',
    });
    this.addAlarm('SweepStoppedAlarm', {
      metric: props.dispatchDue.fn.metricInvocations({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 3,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.BREACHING,
      description: 'dispatch-due ran fewer than 3 times in 5 minutes: the schedule is not firing.',
    });

    for (const channel of CHANNELS) {
      this.addAlarm(`SendLag${channel === 'sms' ? 'Sms' : 'Email'}Alarm`, {
        metric: new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: 'SendLag',
          dimensionsMap: { service: SERVICE.sendMessage, channel },
          statistic: 'p99',
          period: FIVE_MINUTES,
        }),
        threshold: props.sendLagSeconds,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        description: `99th percentile ${channel} send lag above ${props.sendLagSeconds} s in 2 of 3 five-minute periods.`,
      });
    }

    this.addAlarm('PlanningBehindAlarm', {
      metric: new Metric({
        namespace: 'AWS/Lambda',
        metricName: 'IteratorAge',
        dimensionsMap: { FunctionName: props.planMessages.functionName },
        statistic: 'Maximum',
        period: FIVE_MINUTES,
      }),
      threshold: 5 * 60 * 1000,
      evaluationPeriods: 2,
      description: 'plan-messages is more than 5 minutes behind appointment changes.',
    });

    // The event may be the only record a downstream system gets (a CRM, a
    // data lake); send-message counts what EventBridge refused after its retries.
    this.addAlarm('EventPublishFailedAlarm', {
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'EventPublishFailed',
        dimensionsMap: { service: SERVICE.sendMessage },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      description:
        'send-message could not put MessageSent / MessageFailed / MessageSkipped events on the bus: check the ' +
        'bus, its key and the EventBridge service health; the messages themselves were sent or recorded.',
    });

    // A feedback case passed a due time unmet (acknowledge or resolve): someone
    // should pick it up. dispatch-due counts each due time once (report-overdue-cases.ts).
    this.addAlarm('CaseOverdueAlarm', {
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'CaseOverdue',
        dimensionsMap: { service: SERVICE.dispatchDue },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      description:
        'A feedback case passed its due time to acknowledge or to resolve: see GET /v1/clinics/{clinicId}/cases?overdue=true ' +
        '(the CaseOverdue events on the bus name the clinic and the case).',
    });

    for (const { id, fraction } of SMS_BUDGET_ALARMS) {
      const threshold = Math.round(props.smsMonthlyBudgetUsd * fraction * 100) / 100;
      this.addAlarm(id, {
        // Account-wide and regional: SNS publishes it without dimensions.
        metric: new Metric({
          namespace: 'AWS/SNS',
          metricName: 'SMSMonthToDateSpentUSD',
          statistic: 'Maximum',
          period: FIVE_MINUTES,
        }),
        threshold,
        evaluationPeriods: 1,
        // SNS reports the figure only while texts go out; a quiet hour keeps the state.
        treatMissingData: TreatMissingData.IGNORE,
        description:
          `SMS spend this month reached ${Math.round(fraction * 100)} % of the budget (USD ${threshold} of ` +
          `${props.smsMonthlyBudgetUsd}). At the account's spend limit SNS stops sending texts: raise the limit ` +
          'or find what sends so much (docs/deploy.md, "SMS spend limit").',
      });
    }

    for (const { lane, partsPerSecond } of props.smsLanes) {
      const number = lane === SHARED_LANE ? "the deployment's shared number" : `clinic ${lane}'s own number`;
      this.addAlarm(throttledNumberAlarmId(lane), {
        metric: new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: 'ProviderThrottled',
          dimensionsMap: { service: SERVICE.sendMessage, lane },
          statistic: 'Sum',
          period: FIVE_MINUTES,
        }),
        threshold: 1,
        evaluationPeriods: THROTTLED_NUMBER_PERIODS,
        datapointsToAlarm: THROTTLED_NUMBER_PERIODS,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        description:
          `The provider throttled texts from ${number} in each of the last ${THROTTLED_NUMBER_PERIODS * 5} minutes, ` +
          `although the sweep halves a throttled number's next minute. It sends at ${partsPerSecond} parts a second ` +
          'by the config: check what the number may send (its MPS, a 10DLC campaign throughput) and set ' +
          'partsPerSecond to it (docs/deploy.md, "Send rate of each number").',
      });
    }

    this.dashboard = this.buildDashboard(props);
  }

  /**
   * One alarm on throttles of any of the given functions (summed): a
   * throttled stream batch waits, a throttled API call fails, a throttled
   * send waits in the queue.
   *
   * @param functions - every function of the deployment
   */
  addThrottleAlarm(functions: readonly ReminderFunction[]): Alarm {
    const usingMetrics = Object.fromEntries(
      functions.map((fn, index) => [
        `t${index}`,
        fn.fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
      ]),
    );
    return this.addAlarm('FunctionThrottlesAlarm', {
      metric: new MathExpression({
        expression: Object.keys(usingMetrics)
          .map((name) => `FILL(${name}, 0)`)
          .join(' + '),
        usingMetrics,
        label: 'throttles',
        period: FIVE_MINUTES,
      }),
      threshold: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      description:
        `Lambda throttled ${functions.map((fn) => fn.node.id).join(', ')} in 2 of the last 3 five-minute ` +
        "periods: a function's reserved concurrency is too small for its load, or the account's pool is exhausted.",
    });
  }

  /**
   * Adds an alarm that notifies the alarm topic when it fires and when it
   * clears, named after the deployment. Later capabilities (the staff API)
   * add theirs here.
   *
   * @param id - construct id, ending in `Alarm`
   * @param options - metric, threshold and evaluation
   */
  addAlarm(
    id: string,
    options: {
      metric: IMetric;
      threshold: number;
      evaluationPeriods: number;
      datapointsToAlarm?: number;
      comparisonOperator?: ComparisonOperator;
      treatMissingData?: TreatMissingData;
      description: string;
    },
  ): Alarm {
    const alarm = new Alarm(this, id, {
      alarmName: `${alarmNamePrefix(this.deploymentName)}${id.replace(/Alarm$/, '')}`,
      metric: options.metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods,
      ...(options.datapointsToAlarm ? { datapointsToAlarm: options.datapointsToAlarm } : {}),
      comparisonOperator: options.comparisonOperator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: options.treatMissingData ?? TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
      actionsEnabled: true,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }

  private buildDashboard(props: MonitoringProps): Dashboard {
    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `clinic-reminders-${props.deploymentName}`,
      defaultInterval: Duration.hours(24),
    });
    const perChannel = (metricName: string) => CHANNELS.map((channel) => channelCounter(metricName, channel));
    dashboard.addWidgets(
      new TextWidget({
        markdown: `# clinic-reminders ${props.deploymentName}\nMessages per channel (5-minute sums), send lag, queues and the pipeline's functions.`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({ title: 'Sent per channel', left: CHANNELS.map(sentOnChannel), width: 8 }),
      new GraphWidget({ title: 'Skipped per channel', left: perChannel('MessageSkipped'), width: 8 }),
      new GraphWidget({
        title: 'Failed and unknown per channel',
        left: [...perChannel('MessageFailed'), ...perChannel('UnknownOutcome')],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Send lag, due → sent (seconds)',
        left: CHANNELS.flatMap((channel) =>
          ['p50', 'p99'].map(
            (statistic) =>
              new Metric({
                namespace: METRICS_NAMESPACE,
                metricName: 'SendLag',
                dimensionsMap: { service: SERVICE.sendMessage, channel },
                statistic,
                period: FIVE_MINUTES,
                label: `${channel} ${statistic}`,
              }),
          ),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'Enqueued per channel, lost claim races',
        left: CHANNELS.map(
          (channel) =>
            new Metric({
              namespace: METRICS_NAMESPACE,
              metricName: 'MessagesEnqueued',
              dimensionsMap: { service: SERVICE.dispatchDue, channel },
              statistic: 'Sum',
              period: FIVE_MINUTES,
              label: `enqueued ${channel}`,
            }),
        ),
        right: [
          new Metric({
            namespace: METRICS_NAMESPACE,
            metricName: 'ClaimLostRace',
            dimensionsMap: { service: SERVICE.dispatchDue },
            statistic: 'Sum',
            period: FIVE_MINUTES,
            label: 'lost races',
          }),
        ],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Dead-letter queues (messages visible)',
        left: Object.entries(props.deadLetterQueues).map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({
            statistic: 'Maximum',
            period: Duration.minutes(1),
            label: name,
          }),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'Function errors and throttles',
        left: [props.planMessages, props.dispatchDue, props.sendMessage].flatMap((fn) => [
          fn.fn.metricErrors({ period: FIVE_MINUTES, label: `${fn.node.id} errors` }),
          fn.fn.metricThrottles({ period: FIVE_MINUTES, label: `${fn.node.id} throttles` }),
        ]),
        width: 12,
      }),
    );
    // One line per number, however many clinics: searches draw every lane that reported.
    const perLane = (metricName: string, service: string, label: string) =>
      new MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},lane,service} MetricName="${metricName}" service="${service}"', 'Sum', 60)`,
        usingMetrics: {},
        label,
        period: Duration.minutes(1),
      });
    dashboard.addWidgets(
      new GraphWidget({
        title: 'SMS parts enqueued per number (a minute each)',
        left: [perLane('PartsEnqueued', SERVICE.dispatchDue, 'parts')],
        width: 12,
      }),
      new GraphWidget({
        title: 'Provider throttles per number; minutes at half budget',
        left: [perLane('ProviderThrottled', SERVICE.sendMessage, 'throttled')],
        right: [perLane('LaneBudgetHalved', SERVICE.dispatchDue, 'halved')],
        width: 12,
      }),
    );
    dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
    return dashboard;
  }
}
