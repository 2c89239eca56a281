// Umbrella header of resock::wire, the RFC 6455 codec.
#pragma once

#include "resock/error.h"
#include "resock/wire/close.h"
#include "resock/wire/frame.h"
#include "resock/wire/frame_parser.h"
#include "resock/wire/frame_writer.h"
#include "resock/wire/handshake.h"
#include "resock/wire/http_head.h"
#include "resock/wire/mask.h"
#include "resock/wire/message_assembler.h"
#include "resock/wire/message_reader.h"
#include "resock/wire/utf8.h"
#include "resock/wire/wire_error.h"
