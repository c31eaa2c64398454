/** Shapes shared by the Telegram fake's modules. */

/** A Bot API error answer: `{ok: false, error_code, description, parameters?}`. */
export class BotApiFailure extends Error {
  override readonly name = 'BotApiFailure';
  constructor(
    readonly status: number,
    readonly description: string,
    readonly parameters?: Record<string, unknown>,
  ) {
    super(description);
  }
}

export type ChatType = 'channel' | 'supergroup' | 'group' | 'private';

/** A chat the fake knows; with `knownChats` set, every other chat is "chat not found". */
export interface FakeChatSpec {
  id: number;
  /** Default: channel for -100… ids, group for other negative ids, private for positive ones. */
  type?: ChatType;
  /** Public username without '@' (chats can be addressed as "@username"). */
  username?: string;
  title?: string;
  /** Why the bot may not post here. */
  forbidden?: 'not_member' | 'kicked' | 'blocked' | 'no_rights';
  /** A group upgraded to a supergroup: sends answer 400 with parameters.migrate_to_chat_id. */
  migrateTo?: number;
}

export interface FakeChat extends Omit<FakeChatSpec, 'type'> {
  type: ChatType;
}

/** A post the fake accepted (sendMessage / sendPhoto). */
export interface SentRecord {
  /** The chat_id as the client sent it ("@name" or a numeric id), as a string. */
  chatId: string;
  /** The chat's numeric id. */
  chat: number;
  method: 'sendMessage' | 'sendPhoto';
  message_id: number;
  text?: string;
  caption?: string;
  /** URL, file_id, or "upload:<filename>" for an uploaded file. */
  photo?: string;
  params: Record<string, unknown>;
}

/** A stored message (what the fake answers with and what edits change). */
export interface StoredMessage {
  message_id: number;
  date: number;
  chat: { id: number; type: ChatType; title?: string; username?: string };
  text?: string;
  entities?: unknown[];
  caption?: string;
  caption_entities?: unknown[];
  photo?: Array<{ file_id: string; file_unique_id: string; width: number; height: number; file_size: number }>;
  link_preview_options?: unknown;
  reply_markup?: unknown;
  sender_chat?: { id: number; type: ChatType; title?: string; username?: string };
  from?: { id: number; is_bot: true; first_name: string; username: string };
}
