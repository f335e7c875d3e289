import {
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type {
  AppointmentChangeKeys,
  StreamBatchPosition,
  StreamBatchRead,
  StreamChangeReader,
} from '../../ports/stream';

/** Sequence numbers are decimal strings of up to 40 digits: compared as integers, not as text. */
function after(sequence: string, end: string): boolean {
  return BigInt(sequence) > BigInt(end);
}

/**
 * Reads a range of one shard of a DynamoDB stream back from its position:
 * an iterator at the first sequence number, then pages until the last one.
 * Only the keys of each record are kept (the images hold patient data and
 * are not needed: the appointment is re-read from the table).
 */
export class DynamoStreamChangeReader implements StreamChangeReader {
  constructor(
    private readonly streams: DynamoDBStreamsClient,
    /** Pages read before giving up on reaching the last sequence number (1000 records each). */
    private readonly maxPages = 50,
  ) {}

  async read(position: StreamBatchPosition): Promise<StreamBatchRead> {
    let iterator: string | undefined;
    try {
      ({ ShardIterator: iterator } = await this.streams.send(
        new GetShardIteratorCommand({
          StreamArn: position.streamArn,
          ShardId: position.shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          SequenceNumber: position.startSequenceNumber,
        }),
      ));
    } catch (error) {
      // Trimmed: older than the stream keeps. Not found: the shard or stream is gone.
      if (error instanceof TrimmedDataAccessException || error instanceof ResourceNotFoundException) {
        return { keys: [], complete: false };
      }
      throw error;
    }
    const keys: AppointmentChangeKeys[] = [];
    let emptyPages = 0;
    for (let page = 0; iterator && page < this.maxPages && emptyPages < 3; page++) {
      const { Records = [], NextShardIterator } = await this.streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }),
      );
      // An open shard answers empty pages at its end; a few in a row mean nothing more is there.
      emptyPages = Records.length === 0 ? emptyPages + 1 : 0;
      for (const record of Records) {
        const sequenceNumber = record.dynamodb?.SequenceNumber;
        if (!sequenceNumber) continue;
        if (after(sequenceNumber, position.endSequenceNumber)) return { keys, complete: true };
        const clinicId = record.dynamodb?.Keys?.clinicId?.S;
        const appointmentId = record.dynamodb?.Keys?.appointmentId?.S;
        if (clinicId && appointmentId) keys.push({ clinicId, appointmentId, sequenceNumber });
        if (sequenceNumber === position.endSequenceNumber) return { keys, complete: true };
      }
      iterator = NextShardIterator;
    }
    // The shard ended, or went quiet, before the last sequence number.
    return { keys, complete: false };
  }
}
