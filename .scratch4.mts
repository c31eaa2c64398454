import { formatTwitter } from './adapters/twitter/format.js';
import { TwitterTarget } from './config/targets/twitter.js';
import { toArticle } from './src/article/schema.js';
const lead = Array.from({ length: 120 }, (_, i) => `Sentence ${i} explains 東京都 one more detail of the ferry 👩‍👩‍👧‍👦 timetable.`).join(' ').slice(0, 10000);
const a = toArticle({ url: 'https://news.example.com/a', title: 'word '.repeat(190), summary: lead, tags: Array.from({length: 50}, (_, i) => `Tag${i}`) });
for (const threadMax of [2, 10, 25]) {
  const t = TwitterTarget.parse({ id: 'x', platform: 'twitter', thread: true, threadMax });
  const s = performance.now(); let n = 0;
  for (let i = 0; i < 5; i++) n = formatTwitter(a, t).tweets.length;
  console.log(threadMax, n, ((performance.now() - s) / 5).toFixed(1), 'ms');
}
import { threadReplies } from './adapters/twitter/format.js';
import twitterText from 'twitter-text';
let s = performance.now(); threadReplies(lead, 24); console.log('replies', performance.now() - s);
s = performance.now(); twitterText.extractEntitiesWithIndices(lead); console.log('entities', performance.now() - s);
s = performance.now(); twitterText.parseTweet(lead); console.log('parse 10k', performance.now() - s);
s = performance.now(); for (let i=0;i<100;i++) twitterText.parseTweet(lead.slice(0, 280)); console.log('100 parse 280', performance.now() - s);
const t = TwitterTarget.parse({ id: 'x', platform: 'twitter' });
s = performance.now(); formatTwitter(a, t); console.log('first only', performance.now() - s);
