/*
 * Test driver for the firmware codec, built for the host by tests/c_codec.rs.
 *
 *   ad_rpc_echo host|board|raw < frames > frames
 *
 * Reads a byte stream of frames on stdin and feeds it to ad_rpc_decoder one byte at a time.
 * For each good frame, decodes it as a HostMessage (host) or BoardMessage (board), re-encodes
 * the decoded struct and writes it out as a new frame; `raw` echoes the payload without
 * decoding. A frame whose message does not decode is answered with a frame holding the single
 * byte 0xFF (not valid protobuf) so the test sees where it was rejected. At the end one line of
 * statistics goes to stderr:
 *   frames=N crc_errors=N malformed=N oversize=N decode_errors=N
 */
#include "ad_rpc.h"

#include <stdio.h>
#include <string.h>

static void write_stdout(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    (void)fwrite(data, 1, len, stdout);
}

static ad_rpc_decoder dec;
static uint8_t scratch[AD_RPC_MAX_PAYLOAD];
static ad_rpc_board_message board_msg;

int main(int argc, char **argv)
{
    int mode; /* 0 raw, 1 host, 2 board */
    int c;
    unsigned long decode_errors = 0;
    static const uint8_t rejected = 0xFFu;

    if (argc != 2)
    {
        fprintf(stderr, "usage: %s host|board|raw\n", argv[0]);
        return 2;
    }
    if (strcmp(argv[1], "raw") == 0)
        mode = 0;
    else if (strcmp(argv[1], "host") == 0)
        mode = 1;
    else if (strcmp(argv[1], "board") == 0)
        mode = 2;
    else
    {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }

    ad_rpc_decoder_init(&dec);
    while ((c = getchar()) != EOF)
    {
        ad_rpc_bytes frame;
        ad_rpc_status st = AD_RPC_OK;
        if (ad_rpc_decoder_feed(&dec, (uint8_t)c, &frame) != AD_RPC_FEED_FRAME)
        {
            continue;
        }
        if (mode == 0)
        {
            st = ad_rpc_frame_write(frame.data, frame.len, write_stdout, NULL);
        }
        else if (mode == 1)
        {
            ad_rpc_host_message msg;
            st = ad_rpc_host_message_decode(frame.data, frame.len, &msg);
            if (st == AD_RPC_OK)
                st = ad_rpc_send_host_message(&msg, scratch, sizeof scratch, write_stdout, NULL);
        }
        else
        {
            st = ad_rpc_board_message_decode(frame.data, frame.len, &board_msg);
            if (st == AD_RPC_OK)
                st = ad_rpc_send_board_message(&board_msg, scratch, sizeof scratch, write_stdout, NULL);
        }
        if (st != AD_RPC_OK)
        {
            decode_errors++;
            fprintf(stderr, "message error: %s\n", ad_rpc_status_name(st));
            (void)ad_rpc_frame_write(&rejected, 1u, write_stdout, NULL);
        }
    }
    fflush(stdout);
    fprintf(stderr, "frames=%lu crc_errors=%lu malformed=%lu oversize=%lu decode_errors=%lu\n",
            (unsigned long)dec.stats.frames, (unsigned long)dec.stats.crc_errors, (unsigned long)dec.stats.malformed,
            (unsigned long)dec.stats.oversize, decode_errors);
    return 0;
}
