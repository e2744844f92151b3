/*
 * Test runner for streaming models on the host. Reads commands from stdin, one byte each:
 *   'f' then every input's bytes: runs the model once, writes every output's bytes and then the
 *       whole state region (ADM_STATE_SIZE bytes);
 *   'r': resets the stream, writes the state region.
 * Exits 0 at the end of stdin, 2 on a short read, an unknown command or an error.
 */
#include <stdio.h>
#include <stdlib.h>

#include "adm_binding.h"

static int write_state(void)
{
    return fwrite(adm_state(), 1, ADM_STATE_SIZE, stdout) == ADM_STATE_SIZE ? 0 : 2;
}

int main(void)
{
    if (adm_init(NULL, 0) != 0 || adm_state() == NULL)
    {
        fprintf(stderr, "init failed or the model keeps no state\n");
        return 2;
    }
    for (;;)
    {
        int command = fgetc(stdin);
        if (command == EOF)
        {
            return 0;
        }
        if (command == 'r')
        {
            adm_reset();
            if (write_state() != 0)
            {
                return 2;
            }
            continue;
        }
        if (command != 'f')
        {
            fprintf(stderr, "unknown command %d\n", command);
            return 2;
        }
        for (size_t i = 0; i < ADM_INPUT_COUNT; i++)
        {
            size_t bytes = adm_input_info(i)->bytes;
            if (fread(adm_input(i), 1, bytes, stdin) != bytes)
            {
                fprintf(stderr, "short input %zu\n", i);
                return 2;
            }
        }
        int status = adm_invoke();
        if (status != 0)
        {
            fprintf(stderr, "invoke failed: %d\n", status);
            return 2;
        }
        for (size_t i = 0; i < ADM_OUTPUT_COUNT; i++)
        {
            if (fwrite(adm_output(i), 1, adm_output_info(i)->bytes, stdout) != adm_output_info(i)->bytes)
            {
                return 2;
            }
        }
        if (write_state() != 0)
        {
            return 2;
        }
    }
}
