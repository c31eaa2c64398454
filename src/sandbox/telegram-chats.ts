import { BotApiFailure, type ChatType, type FakeChat, type FakeChatSpec, type StoredMessage } from './telegram-types.js';

const defaultType = (id: number): ChatType => (id > 0 ? 'private' : String(id).startsWith('-100') ? 'channel' : 'group');

const kindName = (type: ChatType) => (type === 'channel' ? 'channel' : type === 'supergroup' ? 'supergroup' : type === 'group' ? 'group' : 'private');

/**
 * The chats the fake knows and the messages the bot posted in them. With a list of known
 * chats, any other chat is "chat not found"; without one, any chat id or @username is a
 * chat the bot may post in (a channel for "@name").
 */
export class ChatRegistry {
  private chats = new Map<number, FakeChat>();
  private messages = new Map<number, Map<number, StoredMessage>>();
  private nextMessageId = new Map<number, number>();
  private nextAutoId = 1_000_000_001;

  constructor(private readonly specs: readonly FakeChatSpec[] | undefined) {
    this.reset();
  }

  reset(): void {
    this.chats.clear();
    this.messages.clear();
    this.nextMessageId.clear();
    this.nextAutoId = 1_000_000_001;
    for (const spec of this.specs ?? []) this.chats.set(spec.id, { ...spec, type: spec.type ?? defaultType(spec.id) });
  }

  /** The chat a `chat_id` parameter names; throws "chat not found". */
  resolve(chatId: string): FakeChat {
    const strictList = this.specs !== undefined;
    if (chatId.startsWith('@')) {
      const name = chatId.slice(1).toLowerCase();
      for (const chat of this.chats.values()) if (chat.username?.toLowerCase() === name) return chat;
      if (strictList || !/^[a-z][a-z0-9_]{3,31}$/.test(name)) throw new BotApiFailure(400, 'Bad Request: chat not found');
      const chat: FakeChat = { id: -Number(`100${this.nextAutoId++}`), type: 'channel', username: chatId.slice(1), title: chatId.slice(1) };
      this.chats.set(chat.id, chat);
      return chat;
    }
    if (!/^-?\d{1,19}$/.test(chatId)) throw new BotApiFailure(400, 'Bad Request: chat not found');
    const id = Number(chatId);
    const known = this.chats.get(id);
    if (known !== undefined) return known;
    if (strictList || id === 0) throw new BotApiFailure(400, 'Bad Request: chat not found');
    const chat: FakeChat = { id, type: defaultType(id), title: `Chat ${id}` };
    this.chats.set(id, chat);
    return chat;
  }

  /** Throws what Telegram answers when the bot may not post in `chat`. */
  checkCanPost(chat: FakeChat): void {
    if (chat.migrateTo !== undefined) {
      if (!this.chats.has(chat.migrateTo)) this.chats.set(chat.migrateTo, { id: chat.migrateTo, type: 'supergroup', ...(chat.title !== undefined ? { title: chat.title } : {}) });
      throw new BotApiFailure(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: chat.migrateTo });
    }
    switch (chat.forbidden) {
      case 'not_member':
        throw new BotApiFailure(403, `Forbidden: bot is not a member of the ${kindName(chat.type)} chat`);
      case 'kicked':
        throw new BotApiFailure(403, `Forbidden: bot was kicked from the ${kindName(chat.type)} chat`);
      case 'blocked':
        throw new BotApiFailure(403, 'Forbidden: bot was blocked by the user');
      case 'no_rights':
        throw new BotApiFailure(400, chat.type === 'channel' ? 'Bad Request: need administrator rights in the channel chat' : 'Bad Request: not enough rights to send text messages to the chat');
      default:
    }
  }

  /** The public shape of a chat in Bot API answers. */
  view(chat: FakeChat): StoredMessage['chat'] {
    return { id: chat.id, type: chat.type, ...(chat.title !== undefined ? { title: chat.title } : {}), ...(chat.username !== undefined ? { username: chat.username } : {}) };
  }

  /** Store a new message in `chat` and give it the chat's next message id. */
  store(chat: FakeChat, build: (messageId: number) => StoredMessage): StoredMessage {
    const id = this.nextMessageId.get(chat.id) ?? 1;
    this.nextMessageId.set(chat.id, id + 1);
    const message = build(id);
    let box = this.messages.get(chat.id);
    if (box === undefined) this.messages.set(chat.id, (box = new Map()));
    box.set(id, message);
    return message;
  }

  message(chat: FakeChat, messageId: number): StoredMessage | undefined {
    return this.messages.get(chat.id)?.get(messageId);
  }

  /** Remove a message; false when there was none. */
  remove(chat: FakeChat, messageId: number): boolean {
    return this.messages.get(chat.id)?.delete(messageId) ?? false;
  }
}
