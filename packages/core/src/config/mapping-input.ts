/**
 * CreateEventSourceMapping / UpdateEventSourceMapping's request members as the Lambda API and
 * lambda-sim.yaml's `eventSourceMappings` give them (botocore lambda model names).
 */

/** The members only stream sources take (aws-facts §8.2). */
export interface StreamMappingInput {
  StartingPosition?: string;
  /** Epoch seconds on the wire (REST-JSON timestamps). */
  StartingPositionTimestamp?: number | string;
  ParallelizationFactor?: number;
  BisectBatchOnFunctionError?: boolean;
  MaximumRetryAttempts?: number;
  MaximumRecordAgeInSeconds?: number;
  TumblingWindowInSeconds?: number;
  DestinationConfig?: { OnFailure?: { Destination?: string }; OnSuccess?: { Destination?: string } };
}

export interface MappingInput extends StreamMappingInput {
  FunctionName?: string;
  EventSourceArn?: string;
  BatchSize?: number;
  MaximumBatchingWindowInSeconds?: number;
  Enabled?: boolean;
  FunctionResponseTypes?: string[];
  ScalingConfig?: { MaximumConcurrency?: number };
  FilterCriteria?: { Filters?: { Pattern?: string }[] };
  /** Which CloudWatch metrics the mapping publishes: `EventCount` (ErrorCount and KafkaMetrics are Kafka's). */
  MetricsConfig?: { Metrics?: string[] };
}
