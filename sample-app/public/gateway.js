// The gateway chat page: asks the app for a client access URL (/gateway/negotiate), connects to Web
// PubSub with the JSON subprotocol, and talks to the app's ChatGateway with user events ("join",
// "say"). Everything the gateway sends is { event, data }: answers to our events and socket.send()
// come from the server, room messages (server.to(room).emit) from the room's group.

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
$('name').value = params.get('user') ?? '';
$('room').value = params.get('room') ?? $('room').value;

let session;
let nextAckId = 1;

$('join-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const user = $('name').value.trim();
  const room = $('room').value.trim();
  try {
    // One connection per name; joining another room keeps it and adds the room.
    if (session?.user !== user || session.socket.readyState !== WebSocket.OPEN) {
      session?.socket.close();
      $('messages').replaceChildren();
      session = await connect(user);
    }
    sendEvent('join', room);
  } catch (error) {
    setStatus(error.message);
  }
});

$('send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sendEvent('say', { room: session.room, text: $('text').value });
});

/** Connects, and resolves once the service says the connection is ready (its `connected` frame). */
async function connect(user) {
  setStatus('Connecting…');
  const response = await fetch('/gateway/negotiate', { headers: { 'x-chat-user': user } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.message);
  const socket = new WebSocket(body.url, 'json.webpubsub.azure.v1');
  const next = { user, socket, room: undefined, pending: new Map(), refused: false };
  await new Promise((resolve, reject) => {
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === 'system' && frame.event === 'connected') resolve();
      onFrame(next, frame);
    });
    socket.addEventListener('close', () => {
      reject(new Error('Could not connect.'));
      if (session === next) setStatus('Disconnected.');
    });
  });
  return next;
}

/** A user event of the json.webpubsub.azure.v1 protocol: the gateway's @SubscribeMessage(event) handles it. */
function sendEvent(event, data) {
  const ackId = nextAckId++;
  session.pending.set(ackId, event);
  session.socket.send(JSON.stringify({ type: 'event', event, dataType: 'json', data, ackId }));
}

/** One frame of the json.webpubsub.azure.v1 protocol. */
function onFrame(chat, frame) {
  if (frame.type === 'system' && frame.event === 'connected') {
    setStatus(`Connected as ${frame.userId}.`);
  } else if (frame.type === 'ack') {
    // The service's ack of an event we sent comes after the gateway's answer to it. A refusal is an
    // answer too (an `exception` message, shown below), acked as delivered: keep the text then.
    const event = chat.pending.get(frame.ackId);
    chat.pending.delete(frame.ackId);
    const refused = chat.refused;
    chat.refused = false;
    if (event === 'say' && frame.success && !refused) {
      $('text').value = '';
      showRoom(chat);
    }
  } else if (frame.type === 'message' && frame.dataType === 'json' && frame.data?.event) {
    onGatewayMessage(chat, frame.data);
  }
}

/** A gateway message: { event, data }. */
function onGatewayMessage(chat, { event, data }) {
  if (event === 'joined') {
    chat.room = data;
    $('send-form').hidden = false;
    showRoom(chat);
  }
  if (event === 'exception') {
    chat.refused = true;
    setStatus(`Refused: ${data.message}`);
  }
  show(event, data);
}

function show(event, data) {
  const item = document.createElement('li');
  item.dataset.event = event;
  if (event === 'said') {
    const from = document.createElement('span');
    from.className = 'from';
    from.textContent = data.from;
    const room = document.createElement('span');
    room.className = 'room';
    room.textContent = `#${data.room}`;
    item.append(room, from, data.text);
  } else {
    item.className = event === 'exception' ? 'error' : 'notice';
    item.textContent =
      event === 'joined'
        ? `You joined #${data}`
        : event === 'exception'
          ? data.message
          : (data.text ?? JSON.stringify(data));
  }
  $('messages').append(item);
}

function showRoom(chat) {
  setStatus(`Connected as ${chat.user}, saying things in #${chat.room}.`);
}

function setStatus(text) {
  $('status').textContent = text;
}
