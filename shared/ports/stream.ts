/**
 * What the replay of failed planning needs from the appointments stream:
 * the records the stream mapping gave up on, read back by their position
 * while the stream still holds them (24 hours).
 */

/** Where a batch the stream mapping gave up on sits: its shard and first and last sequence numbers. */
export interface StreamBatchPosition {
  streamArn: string;
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
}

/** The keys of one appointment change in the stream: enough to re-plan the appointment. */
export interface AppointmentChangeKeys {
  clinicId: string;
  appointmentId: string;
  sequenceNumber: string;
}

/** What the stream still holds of a batch. */
export interface StreamBatchRead {
  /** The appointment keys of the records found, in stream order. */
  keys: AppointmentChangeKeys[];
  /** False when the stream did not hold the whole range (trimmed after 24 hours, or the shard is gone). */
  complete: boolean;
}

export interface StreamChangeReader {
  /** The records from the first to the last sequence number of one shard. */
  read(position: StreamBatchPosition): Promise<StreamBatchRead>;
}
